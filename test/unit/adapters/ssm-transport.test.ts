import { spawnSync } from 'node:child_process';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseElapsed, SsmTransport } from '@consort/shared/adapters/aws/ssm-transport';
import { DomainError, TransientError } from '@consort/shared/core/errors';
import type { HostTarget } from '@consort/shared/ports/transport';

// SSM Run Command has no emulator: the SDK client is mocked (aws-sdk-client-mock), and the commands the transport
// sends are run with the real bash to prove the wrapper reassembles, decodes and runs the script byte for byte.

const ssm = mockClient(SSMClient);
const host: HostTarget = {
  id: 'hst_1',
  name: 'web-ssm',
  address: '10.0.0.5',
  port: 22,
  username: 'root',
  transport: 'ssm',
  instanceId: 'i-0123456789abcdef0',
};
const run = { privateKey: 'unused', timeoutMs: 60_000 };

let clock = 0;
let sleeps: number[] = [];
function transport(options: ConstructorParameters<typeof SsmTransport>[1] = {}) {
  return new SsmTransport(new SSMClient({ region: 'eu-west-1' }), {
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    ...options,
  });
}

function awsError(name: string, message = name, extra: Record<string, unknown> = {}) {
  return Object.assign(new SSMServiceException({ name, $fault: 'client', $metadata: {}, message }), extra);
}

const sent = () => ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
const commandsOf = (i: number) => sent()[i]!.Parameters!.commands!;

/** Run what the transport sent, as the AWS-RunShellScript document would: the lines as one bash script. */
function runOnInstance(commandSets: string[][]) {
  let last = { status: 0 as number | null, stdout: '', stderr: '' };
  for (const commands of commandSets) {
    const out = spawnSync('bash', ['-c', commands.join('\n')], { encoding: 'utf8' });
    last = { status: out.status, stdout: out.stdout, stderr: out.stderr };
  }
  return last;
}

beforeEach(() => {
  ssm.reset();
  clock = 0;
  sleeps = [];
});
afterEach(() => ssm.reset());

describe('SSM transport', () => {
  it('sends AWS-RunShellScript with the script base64-encoded, polls to Success and maps the result', async () => {
    const script = `#!/bin/bash\nset -euo pipefail\necho "hello $(printf '%s' "it's")"\necho 'a.com; rm -rf / $(id) \`id\`' >&2\nexit 0\n`;
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ $metadata: {}, message: 'not yet' }))
      .resolvesOnce({ Status: 'Pending' })
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({
        Status: 'Success',
        ResponseCode: 0,
        StandardOutputContent: "hello it's\n",
        StandardErrorContent: '',
        ExecutionElapsedTime: 'PT1.5S',
      });

    const result = await transport().run(host, script, run);
    expect(result).toEqual({ stdout: "hello it's\n", stderr: '', exitCode: 0, durationMs: 1500 });
    const input = sent()[0]!;
    expect(input).toMatchObject({ InstanceIds: ['i-0123456789abcdef0'], DocumentName: 'AWS-RunShellScript', TimeoutSeconds: 60 });
    expect(input.Parameters!.executionTimeout).toEqual(['60']);
    // Nothing of the script reaches the document's shell as text: only base64 inside single quotes.
    const joined = commandsOf(0).join('\n');
    expect(joined).not.toContain('rm -rf');
    expect(joined).not.toContain('$(id)');
    expect(commandsOf(0).every((c) => c.length <= 4_200)).toBe(true);
    // Polling backs off: 0.5, 1, 2, 4 s.
    expect(sleeps).toEqual([500, 1000, 2000, 4000]);

    const onInstance = runOnInstance([commandsOf(0)]);
    expect(onInstance).toEqual({ status: 0, stdout: "hello it's\n", stderr: 'a.com; rm -rf / $(id) `id`\n' });
  });

  it('returns a failing script as a result with its exit code, without retrying', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-2' } });
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardErrorContent: 'named-checkzone: bad zone' });
    const result = await transport().run(host, 'echo broken >&2; exit 3\n', run);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('named-checkzone: bad zone');
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    // The same exit code comes out of the real wrapper.
    expect(runOnInstance([commandsOf(0)]).status).toBe(3);
  });

  it('retries a throttled or not-yet-managed instance on SendCommand with back-off, then runs', async () => {
    ssm
      .on(SendCommandCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(awsError('InvalidInstanceId', 'Instances not in a valid state'))
      .resolves({ Command: { CommandId: 'cmd-3' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'ok' });
    const result = await transport().run(host, 'echo ok', run);
    expect(result.exitCode).toBe(0);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(3);
    expect(sleeps.slice(0, 2)).toEqual([1000, 2000]);
  });

  it('gives up with a TransientError when the instance stays offline (the workflow retries later)', async () => {
    ssm.on(SendCommandCommand).rejects(awsError('InvalidInstanceId', 'Instances not in a valid state for account'));
    const error = await transport()
      .run(host, 'echo ok', run)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/could not send to web-ssm \(i-0123456789abcdef0\): InvalidInstanceId/);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(4);
  });

  it('treats undeliverable and delivery-timed-out commands as transient', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-4' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', StatusDetails: 'Undeliverable', ResponseCode: -1 });
    await expect(transport().run(host, 'true', run)).rejects.toBeInstanceOf(TransientError);
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut', ResponseCode: -1 });
    await expect(transport().run(host, 'true', run)).rejects.toThrow(/did not reach web-ssm .* in time \(DeliveryTimedOut\)/);
  });

  it('does not retry requests SSM refuses (access, parameters) or cancelled commands', async () => {
    ssm.on(SendCommandCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:SendCommand'));
    const refused = await transport()
      .run(host, 'true', run)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).not.toBeInstanceOf(TransientError);
    expect((refused as DomainError).code).toBe('ssm_refused');
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);

    ssm.reset();
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-5' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Cancelled', StatusDetails: 'Cancelled', ResponseCode: -1 });
    await expect(transport().run(host, 'true', run)).rejects.toMatchObject({ code: 'ssm_cancelled' });
  });

  it('maps an execution timeout to exit code null with a note, like the SSH transport', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-6' } });
    ssm
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut', ResponseCode: -1, StandardOutputContent: 'partial' });
    const result = await transport().run(host, 'sleep 999', { ...run, timeoutMs: 30_000 });
    expect(result.exitCode).toBeNull();
    expect(result.stdout).toBe('partial');
    expect(result.stderr).toMatch(/stopped after 30 s/);
    expect(sent()[0]!.Parameters!.executionTimeout).toEqual(['30']);
  });

  it('cancels a command still running past the run timeout and reports it stopped', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-7' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    ssm.on(CancelCommandCommand).resolves({});
    const result = await transport().run(host, 'sleep 999', { ...run, timeoutMs: 20_000 });
    expect(result.exitCode).toBeNull();
    expect(ssm.commandCalls(CancelCommandCommand)[0]!.args[0].input).toEqual({ CommandId: 'cmd-7', InstanceIds: ['i-0123456789abcdef0'] });
    expect(clock).toBeGreaterThanOrEqual(25_000);
    expect(clock).toBeLessThan(31_000);
  });

  it('reports a command that never started before the timeout as transient', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-8' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Pending' });
    ssm.on(CancelCommandCommand).resolves({});
    await expect(transport().run(host, 'true', { ...run, timeoutMs: 10_000 })).rejects.toThrow(/never started/);
  });

  it('stages a script larger than one command in several commands and runs it whole', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `echo ${JSON.stringify(`line ${i} ${'é€'.repeat(20)}`)}`);
    const script = `${lines.join('\n')}\nexit 7\n`;
    let id = 0;
    ssm.on(SendCommandCommand).callsFake(() => ({ Command: { CommandId: `cmd-s${(id += 1)}` } }));
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0 });
    const small = transport({ commandChars: 8_000, lineChars: 1_000 });
    await small.run(host, script, run);
    const calls = sent();
    expect(calls.length).toBe(Math.ceil(Buffer.from(script).toString('base64').length / 8_000));
    expect(calls.every((c) => c.Parameters!.commands!.every((line) => line.length <= 1_100))).toBe(true);
    const onInstance = runOnInstance(calls.map((c) => c.Parameters!.commands!));
    expect(onInstance.status).toBe(7);
    expect(onInstance.stdout.split('\n').filter(Boolean)).toEqual(lines.map((_, i) => `line ${i} ${'é€'.repeat(20)}`));
    // The staged file is removed by the last command.
    const staged = /'(\/var\/tmp\/consort-[0-9a-f-]+\.b64)'/.exec(calls[0]!.Parameters!.commands!.join('\n'))![1]!;
    expect(spawnSync('test', ['-e', staged]).status).toBe(1);
  });

  it('refuses a host without an instance id', async () => {
    await expect(transport().run({ ...host, instanceId: undefined }, 'true', run)).rejects.toMatchObject({ code: 'host_invalid' });
  });

  it('parses ISO 8601 elapsed times', () => {
    expect(parseElapsed('PT0.25S')).toBe(250);
    expect(parseElapsed('PT1M2.5S')).toBe(62_500);
    expect(parseElapsed('PT1H')).toBe(3_600_000);
    expect(parseElapsed('garbage')).toBeUndefined();
    expect(parseElapsed(undefined)).toBeUndefined();
  });
});
