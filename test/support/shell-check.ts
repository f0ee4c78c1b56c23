import { spawnSync } from 'node:child_process';

/**
 * A small bash lexer for rendered provisioning scripts: which characters sit inside single quotes (where bash expands
 * nothing), and the `name='…'` assignments at the start of a line. It follows double quotes, `$( … )` nesting,
 * comments, `$'…'` strings and here-documents well enough for our templates; {@link bashDecode} then asks bash
 * itself what each assignment holds, so the lexer's reading is checked against the real parser.
 */
export interface ShellScan {
  /** `quoted[i] === 1` when `script[i]` is inside a single-quoted string, is one of its quotes, or is backslash-escaped. */
  quoted: Uint8Array;
  /** `name=WORD` at the start of a line, WORD made only of single-quoted strings and `\'`; `value` is WORD decoded. */
  assignments: { name: string; word: string; value: string; start: number }[];
}

type Frame = { kind: 'top' | 'dq' | 'sub'; depth: number };

export function scanShell(script: string): ShellScan {
  const n = script.length;
  const quoted = new Uint8Array(n);
  const assignments: ShellScan['assignments'] = [];
  const stack: Frame[] = [{ kind: 'top', depth: 0 }];
  const heredocs: { delimiter: string; stripTabs: boolean }[] = [];
  const wordStart = (i: number) => i === 0 || /[\s;&|()]/.test(script[i - 1]!);
  let i = 0;
  let lineStart = true;

  const singleQuoted = (from: number): number => {
    const end = script.indexOf("'", from + 1);
    if (end < 0) throw new Error(`unterminated single quote at ${from}`);
    quoted.fill(1, from, end + 1);
    return end + 1;
  };

  while (i < n) {
    const frame = stack[stack.length - 1]!;
    const c = script[i]!;
    if (frame.kind === 'dq') {
      if (c === '\\') i += 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else if (c === '$' && script[i + 1] === '(') {
        stack.push({ kind: 'sub', depth: 0 });
        i += 2;
      } else i++;
      continue;
    }
    if (lineStart && stack.length === 1) {
      lineStart = false;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(?=')/.exec(script.slice(i, i + 200));
      if (m) {
        let j = i + m[0].length;
        let value = '';
        while (script[j] === "'" || (script[j] === '\\' && script[j + 1] === "'")) {
          if (script[j] === '\\') {
            value += "'";
            quoted.fill(1, j, j + 2);
            j += 2;
          } else {
            const end = singleQuoted(j);
            value += script.slice(j + 1, end - 1);
            j = end;
          }
        }
        assignments.push({ name: m[1]!, word: script.slice(i + m[1]!.length + 1, j), value, start: i });
        i = j;
        continue;
      }
    }
    if (c === '\n') {
      i++;
      lineStart = true;
      for (const doc of heredocs.splice(0)) {
        // Skip the body up to the line holding only the delimiter.
        for (;;) {
          const end = script.indexOf('\n', i);
          const line = script.slice(i, end < 0 ? n : end);
          i = end < 0 ? n : end + 1;
          if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter || i >= n) break;
        }
      }
      continue;
    }
    if (c === "'") i = singleQuoted(i);
    else if (c === '"') {
      stack.push({ kind: 'dq', depth: 0 });
      i++;
    } else if (c === '\\') {
      // A backslash-escaped character is a quoted literal too (`'\\''` writes a single quote).
      quoted.fill(1, i, Math.min(i + 2, n));
      i += 2;
    } else if (c === '#' && wordStart(i)) {
      while (i < n && script[i] !== '\n') i++;
    } else if (c === '$' && script[i + 1] === "'") {
      const from = i;
      i += 2;
      while (i < n && script[i] !== "'") i += script[i] === '\\' ? 2 : 1;
      i++;
      quoted.fill(1, from, Math.min(i, n));
    } else if (c === '$' && script[i + 1] === '(') {
      stack.push({ kind: 'sub', depth: 0 });
      i += 2;
    } else if (c === '(' && frame.kind === 'sub') {
      frame.depth++;
      i++;
    } else if (c === ')' && frame.kind === 'sub') {
      if (frame.depth === 0) stack.pop();
      else frame.depth--;
      i++;
    } else if (c === '<' && script[i + 1] === '<' && script[i + 2] !== '<' && script[i - 1] !== '<') {
      const m = /^<<(-?)[ \t]*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(script.slice(i, i + 100));
      if (m) {
        heredocs.push({ delimiter: m[3]!, stripTabs: m[1] === '-' });
        i += m[0].length;
      } else i += 2;
    } else i++;
  }
  if (stack.length !== 1) throw new Error(`script ends inside ${stack[stack.length - 1]!.kind}`);
  return { quoted, assignments };
}

/** Every place where `value` occurs in `script` with at least one character outside single quotes. */
export function unquotedOccurrences(script: string, scan: ShellScan, value: string): string[] {
  const found: string[] = [];
  if (!value) return found;
  for (let at = script.indexOf(value); at >= 0; at = script.indexOf(value, at + 1)) {
    for (let k = at; k < at + value.length; k++) {
      if (!scan.quoted[k]) {
        found.push(script.slice(Math.max(0, at - 40), at + value.length + 40));
        break;
      }
    }
  }
  return found;
}

/**
 * Ask bash what each assignment holds: `bash -n` on the whole script first (its syntax), then one
 * `v=WORD; printf '%s\0' "$v"` per assignment, on stdin (no argument-size limit). Returns the values, or throws
 * with bash's message when the syntax check fails.
 */
export function bashDecode(script: string, words: string[]): string[] {
  const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  if (syntax.status !== 0) throw new Error(`bash -n refused the script: ${syntax.stderr}`);
  const program = words.map((w) => `v=${w}\nprintf '%s\\0' "$v"`).join('\n');
  const run = spawnSync('bash', ['--norc', '--noprofile', '-s'], { input: program, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`bash could not decode the assignments: ${run.stderr}`);
  const values = run.stdout.split('\0');
  values.pop();
  return values;
}
