/**
 * Quote a value as one POSIX shell word: wrapped in single quotes, each `'` written as `'\''`.
 * Inside single quotes the shell expands nothing (`$(…)`, backticks, `$VAR`, globs, newlines stay literal).
 * Strings, finite numbers and bigints are accepted; anything else (undefined, null, objects, arrays,
 * booleans, NaN) is a template bug and throws, as does a NUL byte, which no shell word can carry.
 * @example shellQuote("it's") // → 'it'\''s'
 */
export function shellQuote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'bigint') text = value.toString();
  else throw new TypeError(`Cannot shell-quote ${describe(value)}: only strings and numbers reach a script`);
  if (text.includes('\0')) throw new TypeError('Cannot shell-quote a value containing a NUL byte');
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined (a missing value)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return `a value of type ${typeof value}`;
}
