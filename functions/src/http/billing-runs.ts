import {
  getBillingRun,
  listBillingRuns,
  resumeBillingRun,
  startBillingRun,
  StartBillingRunInput,
} from '@consort/shared/bills/run-use-cases';
import { PageQuery } from '@consort/shared/core/schemas';
import { route } from './route';

// Billing runs in the background (the Step Functions workflow): start, follow, resume. The synchronous
// POST /v1/billing/run stays for small selections.

export const billingRunRoutes = [
  route({
    method: 'POST',
    path: '/v1/billing/runs',
    tag: 'Bills',
    status: 202,
    summary: 'Start a billing run over every account (in the background): bill until a day, optionally close and send',
    body: StartBillingRunInput,
    handle: ({ deps, actor, body }) => startBillingRun(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/billing/runs',
    tag: 'Bills',
    status: 200,
    summary: 'Billing runs, newest first',
    query: PageQuery,
    handle: ({ deps, actor, query }) => listBillingRuns(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/v1/billing/runs/{runId}',
    tag: 'Bills',
    status: 200,
    summary: 'A billing run: state, n of N accounts, bills created and appended, closed, sent, errors',
    handle: ({ deps, actor, params }) => getBillingRun(deps, actor, params.runId!),
  }),
  route({
    method: 'POST',
    path: '/v1/billing/runs/{runId}/resume',
    tag: 'Bills',
    status: 202,
    summary: 'Resume a failed run, or one whose execution died: it continues from its last committed page',
    handle: ({ deps, actor, params }) => resumeBillingRun(deps, actor, params.runId!),
  }),
];
