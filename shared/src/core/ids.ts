import { monotonicFactory } from 'ulid';
import type { Clock } from './clock';

/** Prefixes make ids self-describing in logs and URLs (`acc_01J…`). */
export const ID_PREFIX = {
  tenant: 'tnt',
  user: 'usr',
  apiKey: 'key',
  account: 'acc',
  contact: 'con',
  host: 'hst',
  route: 'rte',
  service: 'svc',
  operation: 'op',
  billableService: 'bsv',
  pack: 'pck',
  contractedPack: 'cpk',
  order: 'ord',
  bill: 'bil',
  billLine: 'bln',
  transaction: 'txn',
  paymentSource: 'psr',
  mandate: 'mnd',
  sepaBatch: 'sdb',
  refund: 'rfd',
  creditTransferBatch: 'sct',
  bankImport: 'bim',
  billingRun: 'brn',
  rollout: 'rol',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const nextUlid = monotonicFactory();

/** A new sortable id (ULID, lower-case) for an entity kind, timestamped by the clock. */
export function newId(kind: IdKind, clock: Clock): string {
  return `${ID_PREFIX[kind]}_${nextUlid(clock.now().getTime()).toLowerCase()}`;
}

/** Whether `id` looks like an id of `kind` (cheap guard before a database read). */
export function isId(kind: IdKind, id: string): boolean {
  return new RegExp(`^${ID_PREFIX[kind]}_[0-9a-hjkmnp-tv-z]{26}$`).test(id);
}
