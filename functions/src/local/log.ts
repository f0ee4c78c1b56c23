// One prefixed, coloured line per log entry, so the processes of `npm start` read as one stream.
export function createLog(prefix: string, colorCode: number, write: (text: string) => void = (t) => process.stdout.write(t)) {
  const color = process.stdout.isTTY && !process.env.NO_COLOR;
  const label = `${prefix}`.padEnd(8);
  const head = color ? `\u001b[${colorCode}m${label}|\u001b[0m ` : `${label}| `;
  return (line: string) => {
    for (const part of line.split('\n')) if (part.trim()) write(`${head}${part}\n`);
  };
}
