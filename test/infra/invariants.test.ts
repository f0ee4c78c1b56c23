import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { allStacks, createTestConsort } from './consort-app';

/** The environment functions/src/lib/aws-deps.ts parses at cold start. */
const RUNTIME_ENV = [
  'CONSORT_RUNTIME',
  'TABLE_NAME',
  'PROVISIONING_QUEUE_URL',
  'PROVISIONING_STATE_MACHINE_ARN',
  'DOCUMENTS_BUCKET',
  'MAIL_FROM',
  'SECRETS_KEY_ID',
  'POWERTOOLS_SERVICE_NAME',
];

describe('invariants across every stack', () => {
  let templates: [Stack, Template][];
  beforeAll(() => {
    templates = allStacks(createTestConsort().stacks).map((stack) => [stack, Template.fromStack(stack)]);
  });

  const each = <T>(type: string, check: (name: string, resource: { Properties: T }) => void) => {
    for (const [stack, template] of templates) {
      for (const [id, resource] of Object.entries(template.findResources(type)))
        check(`${stack.stackName}/${id}`, resource as { Properties: T });
    }
  };

  it('every Lambda runs nodejs22.x with active tracing and its own log group', () => {
    let count = 0;
    each<{ Runtime: string; TracingConfig?: { Mode: string }; LoggingConfig?: { LogGroup: unknown } }>(
      'AWS::Lambda::Function',
      (name, fn) => {
        count++;
        expect(fn.Properties.Runtime, name).toBe('nodejs22.x');
        expect(fn.Properties.TracingConfig, name).toEqual({ Mode: 'Active' });
        expect(fn.Properties.LoggingConfig?.LogGroup, name).toBeDefined();
      },
    );
    expect(count).toBeGreaterThanOrEqual(5); // api, queue consumer, steps, one per schedule, web
  });

  it('every Consort function (all but web) runs on arm64 and gets the whole runtime environment', () => {
    each<{ Architectures: string[]; Handler: string; Environment: { Variables: Record<string, unknown> } }>(
      'AWS::Lambda::Function',
      (name, fn) => {
        if (fn.Properties.Handler === 'run.sh') return; // the Next.js web function
        expect(fn.Properties.Architectures, name).toEqual(['arm64']);
        expect(Object.keys(fn.Properties.Environment.Variables), name).toEqual(expect.arrayContaining(RUNTIME_ENV));
        expect(fn.Properties.Environment.Variables.CONSORT_RUNTIME, name).toBe('aws');
      },
    );
  });

  it('every queue has a dead-letter queue, except the dead-letter queues themselves', () => {
    for (const [stack, template] of templates) {
      const queues = template.findResources('AWS::SQS::Queue');
      const targets = new Set(
        Object.values(queues)
          .map((q) => q.Properties.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0] as string | undefined)
          .filter(Boolean),
      );
      for (const [id, queue] of Object.entries(queues)) {
        if (targets.has(id)) continue;
        expect(queue.Properties.RedrivePolicy, `${stack.stackName}/${id}`).toBeDefined();
      }
    }
  });

  it('every log group expires its events', () => {
    each<{ RetentionInDays?: number }>('AWS::Logs::LogGroup', (name, group) => {
      expect(group.Properties.RetentionInDays, name).toBeGreaterThan(0);
    });
  });

  it('no role carries an AWS managed policy', () => {
    each<{ ManagedPolicyArns?: unknown[] }>('AWS::IAM::Role', (name, role) => {
      expect(role.Properties.ManagedPolicyArns, name).toBeUndefined();
    });
  });
});
