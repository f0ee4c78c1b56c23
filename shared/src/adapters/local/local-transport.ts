import { spawn } from 'node:child_process';
import { DomainError } from '../../core/errors';
import type { HostTarget, RunOptions, ScriptResult, Transport } from '../../ports/transport';
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES } from '../ssh/output';

export interface LocalTransportOptions {
  /** Cap of each of stdout and stderr. Default 1 MiB. */
  maxOutputBytes?: number;
}

/**
 * Runs scripts on this machine with `bash -s` (script on stdin), for the embedded runtime's demo host only
 * (`allowLocalTransport`). The child gets a minimal environment — PATH and HOME, none of this process's
 * secrets — and its own process group, which is killed when the run times out. Same result shape as SSH.
 */
export class LocalTransport implements Transport {
  private readonly maxOutputBytes: number;

  constructor(options: LocalTransportOptions = {}) {
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  }

  run(_host: HostTarget, script: string, options: RunOptions): Promise<ScriptResult> {
    const stdout = new CappedOutput(this.maxOutputBytes);
    const stderr = new CappedOutput(this.maxOutputBytes);
    const started = performance.now();
    const path = [process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', '/usr/local/sbin', '/usr/sbin', '/sbin'].join(':');
    return new Promise<ScriptResult>((resolve, reject) => {
      const child = spawn('bash', ['-s'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env: { PATH: path, HOME: process.env.HOME ?? '/' },
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, options.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => {}); // bash may exit before reading all of the script (EPIPE)
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new DomainError('transport_unavailable', `Cannot run bash locally: ${error.message}`, undefined, { cause: error }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const note = timedOut
          ? `[consort: the script was stopped after ${Math.round(options.timeoutMs / 1000)} s]\n`
          : signal
            ? `[consort: the script was ended by ${signal}]\n`
            : '';
        resolve({
          stdout: stdout.text(),
          stderr: stderr.text() + note,
          exitCode: timedOut ? null : code,
          durationMs: Math.round(performance.now() - started),
        });
      });
      child.stdin.end(script);
    });
  }
}
