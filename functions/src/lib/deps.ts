import type { WorkerDeps } from '@consort/shared/provisioning/worker';
import type { FleetPolicy } from '@consort/shared/fleet/use-cases';
import type { WorkInput } from '@consort/shared/provisioning/worker';
import type { DocumentStore } from '@consort/shared/ports/documents';
import type { Mailer } from '@consort/shared/ports/mail';
import type { StripeGateway } from '@consort/shared/ports/payments';
import type { BillingRunPorts } from '@consort/shared/bills/run-use-cases';

/** Everything a handler needs. Built once per process by a composition root (AWS: ./aws-deps, local: ../local/stack). */
export interface AppDeps extends WorkerDeps, FleetPolicy, BillingRunPorts {
  /** Runs the provisioning state machine for one host's batch and resolves when it ends. */
  runProvisioning(input: WorkInput): Promise<unknown>;
  /** Write-once storage of bill PDFs (S3; fauxqs S3 locally). */
  documents: DocumentStore;
  /** Outgoing e-mail (SES; a maildir under the data folder locally). */
  mailer: Mailer;
  /** Stripe Connect (card payments): the real API with platform keys, the loopback fake locally; absent = no cards. */
  stripe?: StripeGateway;
  log: AppLogger;
}

export interface AppLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

let current: AppDeps | Promise<AppDeps> | undefined;

/** Install the dependencies (local runtime, tests). */
export function setDeps(deps: AppDeps): void {
  current = deps;
}

/** The process's dependencies; on AWS the first call builds them from the environment. */
export async function getDeps(): Promise<AppDeps> {
  if (!current) current = import('./aws-deps').then((m) => m.createAwsDeps());
  return current;
}
