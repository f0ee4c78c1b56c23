import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPO_ROOT } from '../../infra/lib/constructs/app-function';
import { createConsort, readOptions, type ConsortStacks } from '../../infra/lib/consort';

/** The context `cdk synth` sees (cdk.json: feature flags), minus bundling, plus the web placeholder. */
export function testContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return {
    ...cdkJson.context,
    // No esbuild run, no Next.js build: assets are hashed, not built.
    'aws:cdk:bundling-stacks': [],
    webPlaceholder: 'true',
    ...extra,
  };
}

/** Build the whole app exactly as infra/bin/app.ts does, offline and without bundling. */
export function createTestConsort(extra: Record<string, unknown> = {}): { app: App; stacks: ConsortStacks } {
  const app = new App({ context: testContext(extra) });
  const stacks = createConsort(app, readOptions(app));
  return { app, stacks };
}

/** Every stack of the app, web included (the placeholder stands in for the Next.js build). */
export function allStacks(stacks: ConsortStacks): Stack[] {
  return [stacks.data, stacks.documents, stacks.async, stacks.api, stacks.schedules, ...(stacks.web ? [stacks.web] : [])];
}

/**
 * Unacknowledged cdk-nag AWS Solutions findings in one stack, as readable lines. Warnings count too:
 * with cdk-nag 3 any finding fails `cdk synth`.
 */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId ?? '?'}: ${v.description}`),
  );
}
