import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { addNagChecks } from '../../infra/lib/nag';
import { allStacks, createTestConsort, nagFindings } from './consort-app';

describe('cdk-nag (AWS Solutions) and synthesis', () => {
  let built: ReturnType<typeof createTestConsort>;
  beforeAll(() => {
    built = createTestConsort();
  });

  it('finds nothing unacknowledged in any stack', () => {
    for (const stack of allStacks(built.stacks)) {
      expect(nagFindings(stack), stack.stackName).toEqual([]);
    }
  });

  it('reports findings when there are some (the check is not vacuous)', () => {
    const stack = new Stack(new App(), 'Bare');
    new Bucket(stack, 'Plain');
    const rules = nagFindings(stack).map((line) => line.split(' ')[1]);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });

  it('synthesizes with the pack registered, as `cdk synth` does, and CDK reports no errors', () => {
    addNagChecks(built.app);
    const assembly = built.app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(
      allStacks(built.stacks)
        .map((s) => s.stackName)
        .sort(),
    );
    for (const stack of allStacks(built.stacks)) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue()), stack.stackName).toEqual([]);
    }
  });
});
