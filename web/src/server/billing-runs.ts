// A billing run as GET /v1/billing/runs/{id} returns it (shared/src/bills/runs.ts, without the actor).

export type BillingRunState = 'running' | 'completed' | 'failed';
export type BillingRunPhase = 'billing' | 'closing' | 'sending' | 'done';

export interface BillingRun {
  id: string;
  trigger: 'schedule' | 'manual';
  startedBy: string;
  billUntil: string;
  options: { autoClose: boolean; autoSend: boolean };
  state: BillingRunState;
  phase: BillingRunPhase;
  attempt: number;
  totals: {
    accounts: number;
    accountsDone: number;
    billsCreated: number;
    billsAppended: number;
    ordersBilled: number;
    closed: number;
    sent: number;
    errors: number;
  };
  errors: { accountId?: string; billId?: string; code: string; message: string }[];
  leaseExpiresAt: string;
  failure?: { code: string; message: string };
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  percentDone: number;
}

/** Whether staff may resume the run now: it failed, or its execution stopped renewing its lease. */
export function isResumable(run: BillingRun, now: Date): boolean {
  return run.state === 'failed' || (run.state === 'running' && run.leaseExpiresAt < now.toISOString());
}
