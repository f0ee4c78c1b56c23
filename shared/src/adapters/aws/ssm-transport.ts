import { randomUUID } from 'node:crypto';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { DomainError, TransientError } from '../../core/errors';
import type { HostTarget, RunOptions, ScriptResult, Transport } from '../../ports/transport';

export interface SsmTransportOptions {
  /** Base64 characters per command line of the AWS-RunShellScript document. Default 4,000. */
  lineChars?: number;
  /** Base64 characters per SendCommand; larger scripts are staged on the instance in several commands. Default 48,000. */
  commandChars?: number;
  /** How long an instance may take to pick a command up (SendCommand TimeoutSeconds, ≥ 30 s). Default 60 s. */
  deliveryTimeoutMs?: number;
  /** First and longest pause between GetCommandInvocation polls (doubling). Default 500 ms → 5 s. */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Attempts of a SendCommand refused for a transient reason (throttling, instance not ready). Default 4. */
  sendAttempts?: number;
  /** Injected in tests; real timers otherwise. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Terminal command statuses; everything else (Pending, InProgress, Delayed, Cancelling) is polled again. */
const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
/** What GetCommandInvocation returns inline (the rest needs S3 output, not configured). */
const INLINE_STDOUT = 24_000;
const INLINE_STDERR = 8_000;

const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'TooManyUpdates',
  'InternalServerError',
  'ServiceUnavailable',
  'RequestLimitExceeded',
  // The instance is not (yet) a managed, online node: offline, agent restarting, just launched.
  'InvalidInstanceId',
]);

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return TRANSIENT_ERRORS.has(errorName(error)) || Boolean(e?.$retryable) || (e?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** `PT1M2.5S` → 62,500 ms; undefined when absent or unreadable. */
export function parseElapsed(value: string | undefined): number | undefined {
  const m = value ? /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(value) : null;
  if (!m || value === 'PT') return undefined;
  return Math.round(((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000);
}

function chunk(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts.length ? parts : [''];
}

/**
 * Runs scripts through SSM Run Command (`AWS-RunShellScript`) on a managed instance (`host.instanceId`), for hosts
 * without inbound SSH. The script travels base64-encoded (only `[A-Za-z0-9+/=]` inside single quotes, in lines of
 * ≤ 4,000 characters), is decoded into a private temporary file on the instance and run with `bash`, so no value
 * of it is ever parsed by the document's own shell. Scripts longer than one command are staged in several commands
 * (appending to a file named by a random id), then run by the last one.
 *
 * Each command is polled with GetCommandInvocation (back-off 0.5 → 5 s) until it is terminal or the run's timeout
 * passes (then it is cancelled). Outcomes: Success/Failed with an exit code → a result (a failing script is not an
 * error); ExecutionTimedOut → a result with exit code null, as the SSH transport; throttling, an instance that is
 * offline or not managed yet, an undeliverable command, or a command that never started → TransientError (the
 * workflow retries with back-off); refused requests (access, parameters) and cancellations → DomainError.
 * `InvocationDoesNotExist` right after SendCommand is normal (eventual consistency) and simply polled again.
 */
export class SsmTransport implements Transport {
  private readonly lineChars: number;
  private readonly commandChars: number;
  private readonly deliveryTimeoutMs: number;
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly sendAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly ssm: SSMClient,
    options: SsmTransportOptions = {},
  ) {
    this.lineChars = options.lineChars ?? 4_000;
    this.commandChars = Math.max(options.commandChars ?? 48_000, this.lineChars);
    this.deliveryTimeoutMs = Math.max(options.deliveryTimeoutMs ?? 60_000, 30_000);
    this.pollMinMs = options.pollMinMs ?? 500;
    this.pollMaxMs = options.pollMaxMs ?? 5_000;
    this.sendAttempts = options.sendAttempts ?? 4;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => performance.now());
  }

  async run(host: HostTarget, script: string, options: RunOptions): Promise<ScriptResult> {
    const instanceId = host.instanceId;
    if (!instanceId) throw new DomainError('host_invalid', `Host ${host.name} uses SSM but has no instance id`);
    const started = this.now();
    const deadline = started + options.timeoutMs;
    const encoded = Buffer.from(script, 'utf8').toString('base64');
    const pieces = chunk(encoded, this.commandChars);
    const staged = `/var/tmp/consort-${randomUUID()}.b64`;

    // Stage all but the last piece (large scripts only); each must succeed before the next is sent.
    for (const [i, piece] of pieces.slice(0, -1).entries()) {
      const commands = ['set -eu', 'umask 077', ...chunk(piece, this.lineChars).map((line) => `printf '%s' '${line}' >> '${staged}'`)];
      const outcome = await this.command(host, instanceId, commands, `stage ${i + 1}/${pieces.length - 1}`, deadline, options);
      if (outcome.Status !== 'Success') {
        throw new DomainError(
          'ssm_stage_failed',
          `Staging the script on ${host.name} (${instanceId}) failed: ${outcome.Status} ${outcome.StatusDetails ?? ''} ${outcome.StandardErrorContent ?? ''}`.trim(),
        );
      }
    }

    const last = pieces[pieces.length - 1]!;
    const commands = [
      'set -u',
      'umask 077',
      'consort_script=$(mktemp /var/tmp/consort-XXXXXXXX.sh)',
      `trap 'rm -f "$consort_script" ${staged}' EXIT`,
      ...chunk(last, this.lineChars).map((line) => `printf '%s' '${line}' >> '${staged}'`),
      `base64 -d '${staged}' > "$consort_script" || { echo 'consort: could not decode the script' >&2; exit 97; }`,
      'bash "$consort_script" < /dev/null',
      'exit $?',
    ];
    const outcome = await this.command(host, instanceId, commands, 'run', deadline, options);
    return this.result(outcome, started, options);
  }

  /** Send one command (retrying transient refusals) and poll it to a terminal status or the deadline. */
  private async command(
    host: HostTarget,
    instanceId: string,
    commands: string[],
    what: string,
    deadline: number,
    options: RunOptions,
  ): Promise<GetCommandInvocationCommandOutput> {
    const where = `${host.name} (${instanceId})`;
    const executionSeconds = Math.max(1, Math.ceil((deadline - this.now()) / 1000));
    let commandId: string | undefined;
    for (let attempt = 1; !commandId; attempt += 1) {
      try {
        const sent = await this.ssm.send(
          new SendCommandCommand({
            InstanceIds: [instanceId],
            DocumentName: 'AWS-RunShellScript',
            Comment: `Consort provisioning (${what}) on ${host.name}`.slice(0, 100),
            TimeoutSeconds: Math.round(this.deliveryTimeoutMs / 1000),
            Parameters: { commands, executionTimeout: [String(executionSeconds)] },
          }),
        );
        commandId = sent.Command?.CommandId;
        if (!commandId) throw new TransientError(`SSM accepted no command for ${where}`);
      } catch (error) {
        if (!isTransient(error) && !(error instanceof TransientError)) {
          throw new DomainError(
            'ssm_refused',
            `SSM refused the command for ${where}: ${errorName(error)} ${(error as Error).message}`,
            undefined,
            {
              cause: error,
            },
          );
        }
        if (attempt >= this.sendAttempts || this.now() + this.backoff(attempt) >= deadline) {
          throw new TransientError(`SSM could not send to ${where}: ${errorName(error)} ${(error as Error).message}`, { cause: error });
        }
        await this.sleep(this.backoff(attempt));
      }
    }

    let poll = 0;
    let startedRunning = false;
    for (;;) {
      await this.sleep(Math.min(this.pollMinMs * 2 ** poll, this.pollMaxMs));
      poll += 1;
      let invocation: GetCommandInvocationCommandOutput | undefined;
      try {
        invocation = await this.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      } catch (error) {
        // Right after SendCommand the invocation may not exist yet; throttled polls just wait longer.
        if (errorName(error) !== 'InvocationDoesNotExist' && !isTransient(error)) {
          throw new DomainError(
            'ssm_refused',
            `SSM refused to report command ${commandId} on ${where}: ${(error as Error).message}`,
            undefined,
            {
              cause: error,
            },
          );
        }
      }
      if (invocation?.Status === 'InProgress') startedRunning = true;
      if (invocation?.Status && TERMINAL.has(invocation.Status)) {
        const details = invocation.StatusDetails ?? '';
        if (invocation.Status === 'TimedOut' && details !== 'ExecutionTimedOut') {
          throw new TransientError(
            `The command did not reach ${where} in time (${details || 'delivery timed out'}): is the SSM agent online?`,
          );
        }
        if (invocation.Status === 'Failed' && (details === 'Undeliverable' || details === 'Terminated') && !startedRunning) {
          throw new TransientError(`SSM could not deliver the command to ${where} (${details})`);
        }
        if (invocation.Status === 'Cancelled') {
          throw new DomainError('ssm_cancelled', `The command ${commandId} on ${where} was cancelled (${details})`);
        }
        return invocation;
      }
      if (this.now() >= deadline + 5_000) {
        await this.ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] })).catch(() => undefined);
        if (!startedRunning && invocation?.Status !== 'InProgress') {
          throw new TransientError(`The command ${commandId} never started on ${where} within ${Math.round(options.timeoutMs / 1000)} s`);
        }
        return { ...invocation, Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut', $metadata: {} };
      }
    }
  }

  private backoff(attempt: number): number {
    return Math.min(1_000 * 2 ** (attempt - 1), 8_000);
  }

  private result(invocation: GetCommandInvocationCommandOutput, started: number, options: RunOptions): ScriptResult {
    const stdout = invocation.StandardOutputContent ?? '';
    let stderr = invocation.StandardErrorContent ?? '';
    const notes: string[] = [];
    if (stdout.length >= INLINE_STDOUT) notes.push(`[consort: SSM returns the first ${INLINE_STDOUT} characters of stdout]`);
    if (stderr.length >= INLINE_STDERR) notes.push(`[consort: SSM returns the first ${INLINE_STDERR} characters of stderr]`);
    const timedOut = invocation.Status === 'TimedOut';
    if (timedOut) notes.push(`[consort: the script was stopped after ${Math.round(options.timeoutMs / 1000)} s]`);
    if (notes.length) stderr = `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}${notes.join('\n')}\n`;
    const code = invocation.ResponseCode;
    return {
      stdout,
      stderr,
      exitCode: timedOut || code === undefined || code < 0 ? null : code,
      durationMs: parseElapsed(invocation.ExecutionElapsedTime) ?? Math.round(this.now() - started),
    };
  }
}
