import { PageQuery } from '@consort/shared/core/schemas';
import * as Rollouts from '@consort/shared/provisioning/rollout-use-cases';
import { RolloutInput } from '@consort/shared/provisioning/rollouts';
import { route } from './route';

// Rollouts: bulk re-apply of a kind's services, host by host, with concurrency and an error threshold (or a dry run).
export const rolloutRoutes = [
  route({
    method: 'POST',
    path: '/v1/rollouts',
    tag: 'Rollouts',
    status: 202,
    summary: 'Re-apply services of a kind host by host (maxConcurrency, errorThreshold), or render the scripts (dryRun)',
    body: RolloutInput,
    handle: ({ deps, actor, body }) => Rollouts.createRollout(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/rollouts',
    tag: 'Rollouts',
    status: 200,
    summary: 'List rollouts, newest first, with progress',
    query: PageQuery,
    handle: ({ deps, actor, query }) => Rollouts.listRollouts(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/v1/rollouts/{rolloutId}',
    tag: 'Rollouts',
    status: 200,
    summary: 'A rollout: its hosts, their state and progress (done, failed, remaining)',
    handle: ({ deps, actor, params }) => Rollouts.getRollout(deps, actor, params.rolloutId!),
  }),
];
