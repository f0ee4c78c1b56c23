import type { Account, Contact } from '../accounts/model';
import type { Bill, BillSettings, BillState, BillType, BillingState } from '../bills/model';
import type { BillingRun, BillingRunPage } from '../bills/runs';
import type { LocalDate } from '../core/dates';
import type { BillableService, ContractedPack, Pack } from '../catalog/model';
import type { Order } from '../orders/model';
import type { CreditTransferBatch, PaymentSettings, PaymentSource, Transaction, TransactionState } from '../payments/model';
import type { Page } from '../core/schemas';
import type { ImportResult } from '../payments/bank-returns';
import type { SepaBatch, SepaBatchSummary } from '../payments/batches';
import type { Mandate, SepaSettings } from '../payments/mandates';
import type { DunningRecord } from '../payments/dunning';
import type { Host, Route } from '../fleet/model';
import type { Operation, OperationState } from '../provisioning/model';
import type { Rollout } from '../provisioning/rollouts';
import type { TemplateVersion } from '../provisioning/templates';
import type { Service } from '../services/model';
import type { ApiKey, Session, Tenant, User } from '../tenancy/model';

/** An order's billing position to write, and the position it must still be at (optimistic check). */
export interface OrderBillingWrite {
  orderId: string;
  expected: BillingState;
  next: BillingState;
}

/** Bill list filters; `dueBefore` lists unpaid payable bills due before that day (overdue). */
export interface BillListQuery {
  limit: number;
  cursor?: string;
  accountId?: string;
  state?: BillState;
  type?: BillType;
  /** Issue day (open bills: creation day) from / to, inclusive. */
  from?: LocalDate;
  to?: LocalDate;
  dueBefore?: LocalDate;
}

/** A bill without its lines, order effects and audit trail (lists). */
export type BillSummary = Omit<Bill, 'lines' | 'effects' | 'audit' | 'renderModel'> & { lineCount: number };

/** One allocation of a transaction to a bill, as the bill sees it (its state follows the transaction's). */
export interface BillAllocation {
  transactionId: string;
  billId: string;
  amount: string;
  /** Given back by succeeded refunds (partial refunds of a still succeeded transaction). */
  refunded?: string;
  state: TransactionState;
  method: Transaction['method'];
}

/** External references that identify at most one transaction of a tenant (dedup of gateway and bank events). */
export type TransactionRefKind = 'stripeCheckoutSession' | 'stripePaymentIntent' | 'sepaEndToEnd' | 'autoCharge';

/**
 * Persistence port. Every method takes the tenant id first and every key it touches starts with it;
 * use cases pass `actor.tenantId`, never a value from a request body. Implementations: DynamoDB
 * (shared/src/adapters/dynamodb). Writes that must be atomic are single methods here.
 */
export interface Store {
  tenants: {
    /** Creates the tenant, its slug claim, its owner (and e-mail claim) and its sealed SSH key atomically. */
    create(tenant: Tenant, owner: User, sealedPrivateKey: string): Promise<void>;
    get(tenantId: string): Promise<Tenant | undefined>;
    idBySlug(slug: string): Promise<string | undefined>;
    update(tenant: Tenant): Promise<void>;
    /** Every tenant id (platform directory; used only by system sweeps). */
    listIds(cursor?: string): Promise<Page<string>>;
    sealedPrivateKey(tenantId: string): Promise<string | undefined>;
    /** Replaces the provisioning key pair: the tenant (with its new public key) and the sealed private key together. */
    replaceProvisioningKey(tenant: Tenant, sealedPrivateKey: string): Promise<void>;
  };
  users: {
    get(tenantId: string, userId: string): Promise<User | undefined>;
    getByEmail(tenantId: string, email: string): Promise<User | undefined>;
    list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<User>>;
    /** Fails with ConflictError when the e-mail is taken in this tenant. */
    create(user: User): Promise<void>;
    update(user: User): Promise<void>;
  };
  sessions: {
    create(session: Session): Promise<void>;
    /** Expired sessions are filtered out here (DynamoDB TTL deletes lazily; DynamoDB Local never). */
    get(tenantId: string, tokenHash: string, now: Date): Promise<Session | undefined>;
    delete(tenantId: string, tokenHash: string): Promise<void>;
  };
  apiKeys: {
    get(tenantId: string, keyId: string): Promise<ApiKey | undefined>;
    list(tenantId: string): Promise<ApiKey[]>;
    put(key: ApiKey): Promise<void>;
  };
  accounts: {
    get(tenantId: string, accountId: string): Promise<Account | undefined>;
    list(tenantId: string, query: { limit: number; cursor?: string; q?: string }): Promise<Page<Account>>;
    put(account: Account): Promise<void>;
    /** Fails with ConflictError while the account still owns services. */
    delete(tenantId: string, accountId: string): Promise<void>;
  };
  contacts: {
    get(tenantId: string, accountId: string, contactId: string): Promise<Contact | undefined>;
    list(tenantId: string, accountId: string): Promise<Contact[]>;
    put(contact: Contact): Promise<void>;
    delete(tenantId: string, accountId: string, contactId: string): Promise<void>;
  };
  hosts: {
    get(tenantId: string, hostId: string): Promise<Host | undefined>;
    list(tenantId: string): Promise<Host[]>;
    put(host: Host): Promise<void>;
    /** Fails with ConflictError while routes point at the host. */
    delete(tenantId: string, hostId: string): Promise<void>;
  };
  routes: {
    get(tenantId: string, routeId: string): Promise<Route | undefined>;
    list(tenantId: string): Promise<Route[]>;
    put(route: Route): Promise<void>;
    delete(tenantId: string, routeId: string): Promise<void>;
  };
  services: {
    get(tenantId: string, serviceId: string): Promise<Service | undefined>;
    list(tenantId: string, query: { kind?: string; accountId?: string; limit: number; cursor?: string }): Promise<Page<Service>>;
    countByAccount(tenantId: string, accountId: string): Promise<number>;
    /**
     * Service + unique-name claim + pending operation (in the outbox) + the orders it starts, atomically.
     * ConflictError on a taken name. With `expectSeq`, the account's creation sequence must still be that number
     * (and moves to the next) — how a customer's count check against a limit stays true under concurrent creates.
     */
    create(service: Service, operation: Operation, orders?: readonly Order[], options?: { expectSeq?: number }): Promise<void>;
    /** The account's creation sequence (0 before any guarded create). */
    creationSeq(tenantId: string, accountId: string): Promise<number>;
    /**
     * New version + pending operation + the orders it creates or changes, atomically; ConflictError unless the
     * stored version is `expectedVersion`.
     */
    change(service: Service, expectedVersion: number, operation: Operation, orders?: readonly Order[]): Promise<void>;
    /** Records the outcome of an operation on its service, only if it is still the service's latest one. */
    settle(tenantId: string, serviceId: string, operationId: string, state: Service['state'], now: string): Promise<void>;
    /** Frees the unique name of a deleted service. */
    releaseName(tenantId: string, kind: string, name: string): Promise<void>;
  };
  operations: {
    get(tenantId: string, operationId: string): Promise<Operation | undefined>;
    list(tenantId: string, query: { state?: OperationState; serviceId?: string; limit: number; cursor?: string }): Promise<Page<Operation>>;
    /** Operations in the outbox: not ended yet (pending dispatch, queued, or running on a worker), oldest first. */
    outbox(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<Operation>>;
    /** Conditional state transition; returns false when the operation is not in `from` (someone else moved it). */
    transition(
      tenantId: string,
      operationId: string,
      from: readonly OperationState[],
      patch: Partial<Pick<Operation, 'state' | 'error' | 'targets' | 'units' | 'attempt' | 'aloneAttempt' | 'updatedAt'>> & {
        state: OperationState;
      },
    ): Promise<Operation | undefined>;
    /** Appends one host's logs (one per backend it ran) and outcome; returns the updated operation. */
    recordHost(
      tenantId: string,
      operationId: string,
      attempt: number,
      outcome: { hostId: string; ok: boolean; logs: Operation['logs'] },
      now: string,
    ): Promise<Operation | undefined>;
    /** Back into the outbox for a new attempt (retry), from failed only. */
    retry(tenantId: string, operationId: string, now: string): Promise<Operation | undefined>;
    /** Writes an operation that is not part of a service change (rollout re-applies); false when the id exists. */
    create(operation: Operation): Promise<boolean>;
  };
  billableServices: {
    get(tenantId: string, id: string): Promise<BillableService | undefined>;
    /** Every definition of the tenant (a catalog has tens, not thousands). */
    list(tenantId: string): Promise<BillableService[]>;
    put(definition: BillableService): Promise<void>;
    /** Fails with ConflictError while orders or pack rates refer to it. */
    delete(tenantId: string, id: string): Promise<void>;
  };
  packs: {
    get(tenantId: string, id: string): Promise<Pack | undefined>;
    list(tenantId: string): Promise<Pack[]>;
    put(pack: Pack): Promise<void>;
    /** Fails with ConflictError while accounts have it contracted. */
    delete(tenantId: string, id: string): Promise<void>;
  };
  contractedPacks: {
    get(tenantId: string, accountId: string, id: string): Promise<ContractedPack | undefined>;
    list(tenantId: string, accountId: string): Promise<ContractedPack[]>;
    put(contract: ContractedPack): Promise<void>;
    delete(tenantId: string, accountId: string, id: string): Promise<void>;
  };
  orders: {
    get(tenantId: string, orderId: string): Promise<Order | undefined>;
    /** Every order of the tenant, newest first. */
    list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<Order>>;
    /** Orders of a service, oldest first (service sync). */
    listByService(tenantId: string, serviceId: string): Promise<Order[]>;
    /** Orders of an account by registration day (billing, the portals). */
    listByAccount(tenantId: string, accountId: string, query: { limit: number; cursor?: string }): Promise<Page<Order>>;
    /** Writes orders (new or changed), 25 per batch; not atomic across batches. */
    putMany(orders: readonly Order[]): Promise<void>;
  };
  bills: {
    /** A bill with its lines; issued bills come with their frozen render model. */
    get(tenantId: string, billId: string): Promise<Bill | undefined>;
    list(tenantId: string, query: BillListQuery): Promise<Page<BillSummary>>;
    /** The account's open bills of a type, oldest first. */
    listOpen(tenantId: string, accountId: string, type: BillType): Promise<Bill[]>;
    /** Many bills by id at once (batched reads), in no particular order, without render models; missing ones left out. */
    getMany(tenantId: string, billIds: readonly string[]): Promise<Bill[]>;
    /** Issued bills of one series in number order (exports, gap checks). */
    listNumbers(
      tenantId: string,
      type: BillType,
      year: number,
      query: { limit: number; cursor?: string },
    ): Promise<Page<{ sequence: number; number: string; billId: string }>>;
    /** The bill that holds a number of a series, if issued. */
    findByNumber(tenantId: string, type: BillType, year: number, sequence: number): Promise<string | undefined>;
    /** The last number issued in a series (0 when none). */
    lastSequence(tenantId: string, type: BillType, year: number): Promise<number>;
    /**
     * Open bills only, in one transaction (≤ 100 items in all): create (`expectedVersion` null) or overwrite bills,
     * delete bills, and move orders' billing positions. ConflictError when a bill is no longer open at the expected
     * version or an order is no longer at its expected position; nothing is written then.
     */
    write(change: {
      tenantId: string;
      put?: readonly { bill: Bill; expectedVersion: number | null }[];
      remove?: readonly { bill: Bill; expectedVersion: number }[];
      orders?: readonly OrderBillingWrite[];
    }): Promise<void>;
    /**
     * Issue an open bill (now closed, numbered, with its render model) atomically with its series counter moving from
     * `expectedLast` to its sequence. `series-moved`: another bill took the number, nothing was written; ConflictError
     * when the bill changed meanwhile.
     */
    issue(
      bill: Bill,
      expectedVersion: number,
      series?: { type: BillType; year: number; expectedLast: number },
    ): Promise<'issued' | 'series-moved'>;
    /**
     * Issue bills of one series at once, in one transaction (≤ 32 bills): the counter moves from `expectedLast` to
     * `expectedLast + bills.length` and each bill (closed, with its render model) carries the next number in order —
     * all or nothing, so a crash never leaves a gap. `series-moved`: another close took numbers meanwhile;
     * `bill-changed`: that bill is no longer open at its expected version. Nothing is written in either case.
     */
    issueMany(
      tenantId: string,
      bills: readonly { bill: Bill; expectedVersion: number }[],
      series: { type: BillType; year: number; expectedLast: number },
    ): Promise<{ result: 'issued' | 'series-moved' } | { result: 'bill-changed'; billId: string }>;
    /**
     * A lifecycle change of an issued bill: only state, audit trail, recipients and links are written — never its
     * content — at the expected version; optionally creates an open bill in the same transaction (amendment, quote
     * conversion). ConflictError when the bill moved meanwhile.
     */
    transition(bill: Bill, expectedVersion: number, create?: Bill): Promise<void>;
    /** Record where the rendered PDF is (issued bills only). */
    setPdf(tenantId: string, billId: string, pdf: NonNullable<Bill['pdf']>): Promise<void>;
    getSettings(tenantId: string): Promise<BillSettings | undefined>;
    putSettings(tenantId: string, settings: BillSettings): Promise<void>;
  };
  /** Billing run records and their committed pages (shared/src/bills/runs.ts). */
  billingRuns: {
    /** ConflictError when a run with that id exists (one scheduled run per tenant and period). */
    create(run: BillingRun): Promise<void>;
    get(tenantId: string, runId: string): Promise<BillingRun | undefined>;
    /** Newest first. */
    list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<BillingRun>>;
    /** Write the run at `expectedVersion`, with the page it commits (written once) if any; ConflictError otherwise. */
    update(run: BillingRun, expectedVersion: number, page?: BillingRunPage): Promise<void>;
    /** A committed page of the run. */
    getPage(tenantId: string, runId: string, index: number): Promise<BillingRunPage | undefined>;
    /** One page of account ids, in key order (`cursor` from the previous page). */
    accountIds(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<string>>;
    /** How many accounts the tenant has (a count query, no items read into memory). */
    countAccounts(tenantId: string): Promise<number>;
    /** Accounts of a page by id at once (batched reads), in no particular order; missing ones left out. */
    accounts(tenantId: string, accountIds: readonly string[]): Promise<Account[]>;
    /** The contracted packs of a page of accounts: one range query over their keys (ids as listed, in key order). */
    contractedPacks(tenantId: string, accountIds: readonly string[]): Promise<ContractedPack[]>;
  };
  payments: {
    get(tenantId: string, transactionId: string): Promise<Transaction | undefined>;
    /**
     * The transaction, one link per allocated bill and a claim per external reference (`refs`), atomically.
     * ConflictError when a reference already belongs to another transaction.
     */
    create(tx: Transaction, refs?: readonly { kind: TransactionRefKind; ref: string }[]): Promise<void>;
    /**
     * Write a changed transaction (state, refs, failure, audit) and its links' state only if the stored version is
     * `expectedVersion`, claiming new `refs` in the same transaction. Returns false when the version moved (someone else
     * wrote first; re-read and decide again).
     */
    update(tx: Transaction, expectedVersion: number, refs?: readonly { kind: TransactionRefKind; ref: string }[]): Promise<boolean>;
    /** Newest first; `state` filters. */
    list(tenantId: string, query: { limit: number; cursor?: string; state?: TransactionState }): Promise<Page<Transaction>>;
    listByAccount(tenantId: string, accountId: string, query: { limit: number; cursor?: string }): Promise<Page<Transaction>>;
    /** Every allocation to a bill with its transaction's current state. */
    listByBill(tenantId: string, billId: string): Promise<BillAllocation[]>;
    /** The transaction that holds an external reference. */
    findByRef(tenantId: string, kind: TransactionRefKind, ref: string): Promise<string | undefined>;
    /** Whether a webhook event was already processed (expired records are ignored). */
    eventSeen(tenantId: string, eventId: string, now: Date): Promise<boolean>;
    /** Remember a processed webhook event until `expiresAt` (DynamoDB TTL). */
    recordEvent(tenantId: string, eventId: string, expiresAt: Date): Promise<void>;
    /** Saved payment sources of an account. */
    listSources(tenantId: string, accountId: string): Promise<PaymentSource[]>;
    getSource(tenantId: string, accountId: string, sourceId: string): Promise<PaymentSource | undefined>;
    putSource(source: PaymentSource): Promise<void>;
    deleteSource(tenantId: string, accountId: string, sourceId: string): Promise<void>;
    getSettings(tenantId: string): Promise<PaymentSettings | undefined>;
    /** Also claims the connected Stripe account for the tenant (platform directory); ConflictError when another has it. */
    putSettings(tenantId: string, settings: PaymentSettings): Promise<void>;
    /** The tenant a connected Stripe account belongs to (webhooks carry only the account). */
    tenantOfStripeAccount(stripeAccountId: string): Promise<string | undefined>;
    /** The Stripe customer of a Consort account on the tenant's connected account. */
    getStripeCustomer(tenantId: string, accountId: string): Promise<string | undefined>;
    putStripeCustomer(tenantId: string, accountId: string, customerId: string): Promise<void>;
    /** Remember a refund waiting for a credit transfer (the next credit-transfer batch lists these). */
    putRefundToTransfer(tenantId: string, refundId: string, transactionId: string): Promise<void>;
    listRefundsToTransfer(tenantId: string): Promise<{ refundId: string; transactionId: string }[]>;
    deleteRefundToTransfer(tenantId: string, refundId: string): Promise<void>;
    /** Credit-transfer batches (refunds paid by pain.001). ConflictError when the id exists. */
    createCreditTransferBatch(batch: CreditTransferBatch): Promise<void>;
    getCreditTransferBatch(tenantId: string, batchId: string): Promise<CreditTransferBatch | undefined>;
    /** The credit-transfer batch whose pain.001 carries this message id (bank reports name it). */
    findCreditTransferBatchByMessageId(tenantId: string, messageId: string): Promise<string | undefined>;
    /** Newest first, without items. */
    listCreditTransferBatches(
      tenantId: string,
      query: { limit: number; cursor?: string },
    ): Promise<Page<Omit<CreditTransferBatch, 'items'>>>;
    /** Conditional on `expectedVersion`; false when someone else wrote first. */
    updateCreditTransferBatch(batch: CreditTransferBatch, expectedVersion: number): Promise<boolean>;
    /** Dunning record of an account (shared/src/payments/dunning.ts). */
    getDunning(tenantId: string, accountId: string): Promise<DunningRecord | undefined>;
    /** Conditional on `expectedVersion` (undefined: must not exist); false when someone else wrote first. */
    putDunning(record: DunningRecord, expectedVersion: number | undefined): Promise<boolean>;
    deleteDunning(tenantId: string, accountId: string, expectedVersion: number): Promise<boolean>;
    /** Every account of the tenant with a dunning record (a query on the tenant's partition). */
    listDunning(tenantId: string): Promise<DunningRecord[]>;
  };
  /** SEPA direct debit (shared/src/adapters/dynamodb/sepa-store.ts): mandates, creditor settings, batches, bank-file imports. */
  sepa: {
    getMandate(tenantId: string, mandateId: string): Promise<Mandate | undefined>;
    listMandates(tenantId: string, accountId: string): Promise<Mandate[]>;
    /** The mandate holding a reference (UMR) in the tenant. */
    findMandateByReference(tenantId: string, reference: string): Promise<string | undefined>;
    /** Creates the mandate and claims its reference atomically; ConflictError when the reference is taken. */
    createMandate(mandate: Mandate): Promise<void>;
    /** ConflictError unless the stored version is `expectedVersion`. */
    putMandate(mandate: Mandate, expectedVersion: number): Promise<void>;
    getSettings(tenantId: string): Promise<SepaSettings | undefined>;
    putSettings(tenantId: string, settings: SepaSettings): Promise<void>;
    getBatch(tenantId: string, batchId: string): Promise<SepaBatch | undefined>;
    /** Newest first, without items. */
    listBatches(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<SepaBatchSummary>>;
    /** The batch whose file has this GrpHdr/MsgId (bank reports refer to it). */
    findBatchByMessageId(tenantId: string, messageId: string): Promise<string | undefined>;
    /** Creates the batch and claims its message id atomically; ConflictError when the id is taken. */
    createBatch(batch: SepaBatch): Promise<void>;
    /** ConflictError unless the stored version is `expectedVersion`. */
    updateBatch(batch: SepaBatch, expectedVersion: number): Promise<void>;
    /** The recorded import of a file, by the SHA-256 of its content. */
    getImport(tenantId: string, sha256: string): Promise<ImportResult | undefined>;
    /** Records an import once per file; ConflictError when the same file was recorded already. */
    recordImport(tenantId: string, result: ImportResult): Promise<void>;
    /** Newest first, without lines. */
    listImports(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<Omit<ImportResult, 'lines'>>>;
  };
  /** Rollouts: bulk re-applies with their host plan and progress (shared/src/provisioning/rollouts.ts). */
  rollouts: {
    create(rollout: Rollout): Promise<void>;
    get(tenantId: string, rolloutId: string): Promise<Rollout | undefined>;
    /** Newest first. */
    list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<Rollout>>;
    /** Writes the rollout if it is still at `expectedVersion` (then bumped); false when it moved meanwhile. */
    update(rollout: Rollout, expectedVersion: number): Promise<boolean>;
    /** Counts one operation's outcome on the rollout's host `hostIndex` (atomic; bumps the version). */
    recordOutcome(tenantId: string, rolloutId: string, hostIndex: number, ok: boolean, now: string): Promise<void>;
  };
  /** Tenant overrides of provisioning templates (shared/src/provisioning/templates.ts), one versioned history per path. */
  templates: {
    /** The latest version of every overridden path (including reverts), in path order. */
    heads(tenantId: string): Promise<TemplateVersion[]>;
    /** Every version of one path, newest first. */
    versions(tenantId: string, path: string): Promise<TemplateVersion[]>;
    /** Writes the next version if the path is still at `version - 1` (0 = never overridden); ConflictError otherwise. */
    append(version: TemplateVersion): Promise<void>;
  };
}
