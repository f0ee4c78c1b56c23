// A unified diff with added and removed lines coloured (and marked with +/- for screen readers and copy-paste).
export function DiffView({ diff, empty }: { diff: string; empty: string }) {
  if (!diff) return <p className="field-hint">{empty}</p>;
  const lines = diff.replace(/\n$/, '').split('\n');
  return (
    <pre className="log diff">
      {lines.map((line, i) => {
        const kind = line.startsWith('@@')
          ? 'diff-hunk'
          : line.startsWith('+++') || line.startsWith('---')
            ? 'diff-file'
            : line.startsWith('+')
              ? 'diff-add'
              : line.startsWith('-')
                ? 'diff-del'
                : undefined;
        return (
          <span key={i} className={kind}>
            {line}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
