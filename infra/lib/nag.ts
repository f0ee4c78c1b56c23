import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: violations fail `cdk synth`, and a rule is
 * acknowledged (v2's "suppression") with `Validations.of(construct).acknowledge`, on the construct or
 * any ancestor. Findings of multi-finding rules are acknowledged one by one, e.g. `AwsSolutions-IAM5[Resource::*]`.
 * Every acknowledgement in infra/ goes through this helper so docs/aws.md can list them.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Register the AWS Solutions pack on the app; `cdk synth` then fails on any unacknowledged finding. */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** Shared reasons, so the same exception reads the same everywhere. */
export const REASONS = {
  nodeRuntime:
    'Lambda runs nodejs22.x on purpose: the project targets Node 22 (local runtime, aws-local-stepfunctions, CI) and moves to the next LTS in one step across all runtimes, not per function.',
  xrayWildcard:
    'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; "*" is the only valid resource (added by tracing: ACTIVE).',
} as const;

/**
 * A value (string with tokens) in the flat form cdk-nag uses in finding ids, e.g.
 * `arn:<AWS::Partition>:s3:::consort-documents-<AWS::AccountId>-<AWS::Region>`. Mirrors cdk-nag's
 * internal flattenCfnReference. Only stable for values without cross-stack references, which synthesis
 * rewrites (so finding ids would differ between a test and `cdk synth`).
 */
export function nagValue(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (Array.isArray(o['Fn::Join'])) {
        const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if ('Fn::Sub' in o) return visit(o['Fn::Sub']);
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(resource)}.${visit(attribute)}>`;
      }
      if ('Ref' in o) return `<${visit(o.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
