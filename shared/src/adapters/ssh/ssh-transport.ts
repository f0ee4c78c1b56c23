import { createHash } from 'node:crypto';
import ssh2 from 'ssh2'; // CommonJS: named exports are not visible to Node's ESM loader
import { DomainError, TransientError } from '../../core/errors';
import type { HostTarget, RunOptions, ScriptResult, Transport } from '../../ports/transport';
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES } from './output';

/** OpenSSH-style fingerprint of a host key blob: `SHA256:` + unpadded base64 of its SHA-256 (as `ssh-keygen -l`). */
export function sshFingerprint(hostKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

export interface SshTransportOptions {
  /** Limit for connecting and authenticating (also bounded by each run's timeout). Default 20 s. */
  readyTimeoutMs?: number;
  /** Cap of each of stdout and stderr. Default 1 MiB. */
  maxOutputBytes?: number;
}

/**
 * Runs scripts over SSH with `ssh2`: the tenant's private key, the host key checked against the pinned
 * fingerprint (or reported for pinning on first use), and the script fed on stdin to `bash -s`, so the command
 * line holds nothing user-derived.
 *
 * Failures before the script starts: a different host key → DomainError `host_key_mismatch`; the key refused →
 * DomainError `host_auth_failed` (retrying cannot help); anything else (refused, unreachable, timeout) →
 * TransientError. A script that exits non-zero, or is stopped by the run's timeout (exit code null), is a result.
 */
export class SshTransport implements Transport {
  private readonly readyTimeoutMs: number;
  private readonly maxOutputBytes: number;

  constructor(options: SshTransportOptions = {}) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  }

  run(host: HostTarget, script: string, options: RunOptions): Promise<ScriptResult> {
    const where = `${host.name} (${host.username}@${host.address}:${host.port})`;
    const pinned = host.hostKeyFingerprint?.replace(/=+$/, '');
    const client = new ssh2.Client();
    const stdout = new CappedOutput(this.maxOutputBytes);
    const stderr = new CappedOutput(this.maxOutputBytes);
    const started = performance.now();
    let seen: string | undefined;
    let scriptStarted = false;
    let exitCode: number | null = null;
    let exitSignal: string | undefined;
    let channel: ssh2.ClientChannel | undefined;

    return new Promise<ScriptResult>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        outcome();
      };
      const result = (note?: string): ScriptResult => ({
        stdout: stdout.text(),
        stderr: note ? `${stderr.text()}${note}\n` : stderr.text(),
        exitCode,
        durationMs: Math.round(performance.now() - started),
        hostKeyFingerprint: seen,
      });

      const timer = setTimeout(() => {
        if (!scriptStarted) return settle(() => reject(new TransientError(`Timed out connecting to ${where}`)));
        exitCode = null;
        // Ask sshd to kill the remote bash (OpenSSH ≥ 7.9 honours signal requests), then hang up.
        try {
          channel?.signal('KILL');
        } catch {
          // the channel is already gone
        }
        settle(() => resolve(result(`[consort: the script was stopped after ${Math.round(options.timeoutMs / 1000)} s]`)));
      }, options.timeoutMs);

      client.on('error', (error: Error & { level?: string; code?: string }) => {
        settle(() => reject(this.connectionError(error, host, where, pinned, seen, scriptStarted)));
      });
      client.on('close', () => {
        settle(() => reject(new TransientError(`The connection to ${where} closed before the script finished`)));
      });
      client.on('ready', () => {
        client.exec('bash -s', (error, stream) => {
          if (error)
            return settle(() => reject(new TransientError(`Could not start bash on ${where}: ${error.message}`, { cause: error })));
          scriptStarted = true;
          channel = stream;
          stream.on('data', (chunk: Buffer) => stdout.push(chunk));
          stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
          stream.on('exit', (code: number | null, signal?: string) => {
            exitCode = typeof code === 'number' ? code : null;
            exitSignal = signal;
          });
          stream.on('close', () =>
            settle(() => resolve(result(exitSignal ? `[consort: the script was ended by ${exitSignal}]` : undefined))),
          );
          stream.end(script);
        });
      });

      try {
        client.connect({
          host: host.address,
          port: host.port,
          username: host.username,
          privateKey: options.privateKey,
          readyTimeout: Math.min(this.readyTimeoutMs, options.timeoutMs),
          keepaliveInterval: 15_000,
          keepaliveCountMax: 4,
          hostVerifier: (key: Buffer) => {
            seen = sshFingerprint(key);
            return !pinned || seen === pinned;
          },
        });
      } catch (error) {
        // ssh2 throws synchronously for a key it cannot parse.
        settle(() =>
          reject(
            new DomainError(
              'provisioning_key_invalid',
              `The tenant's provisioning key cannot be used: ${(error as Error).message}`,
              undefined,
              { cause: error },
            ),
          ),
        );
      }
    });
  }

  private connectionError(
    error: Error & { level?: string; code?: string },
    host: HostTarget,
    where: string,
    pinned: string | undefined,
    seen: string | undefined,
    scriptStarted: boolean,
  ): Error {
    if (pinned && seen && seen !== pinned) {
      return new DomainError(
        'host_key_mismatch',
        `The host key of ${where} is ${seen}, but ${pinned} is pinned. If the server was reinstalled, clear the pinned ` +
          'fingerprint in the host settings; otherwise the connection may be intercepted.',
        { expected: pinned, seen },
        { cause: error },
      );
    }
    if (error.level === 'client-authentication') {
      return new DomainError(
        'host_auth_failed',
        `${where} refused the tenant's provisioning key. Add the tenant's public key (Settings → Provisioning key) to ` +
          `~${host.username}/.ssh/authorized_keys on that server.`,
        undefined,
        { cause: error },
      );
    }
    const during = scriptStarted ? 'while the script ran' : 'while connecting';
    return new TransientError(`SSH to ${where} failed ${during}: ${error.code ?? error.level ?? 'error'} ${error.message}`, {
      cause: error,
    });
  }
}
