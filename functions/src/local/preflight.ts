// Checks `npm start` makes before starting anything, so that a missing tool or a busy port reads as a sentence.
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

export async function assertJava(): Promise<void> {
  const version = await new Promise<string | undefined>((resolve) =>
    execFile('java', ['-version'], (error, _stdout, stderr) => resolve(error ? undefined : stderr)),
  );
  if (!version) throw new Error('Java was not found. DynamoDB Local needs Java 11 or newer: install e.g. `default-jre-headless`.');
  const major = Number(/version "(\d+)/.exec(version)?.[1] ?? 0);
  if (major && major < 11) throw new Error(`Java ${major} is too old: DynamoDB Local needs Java 11 or newer.`);
}

export async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${envVar}=${port} is not a port number.`);
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) is in use — is Consort already running? Stop it or set ${envVar} to another port.`
            : `Cannot listen on port ${port} (${what}): ${error.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** A loopback port nobody listens on right now (for emulators and servers that need a port number up front). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('No free port'))));
    });
  });
}

/** Whether a command is on the PATH (optional local checkers, test prerequisites). */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
