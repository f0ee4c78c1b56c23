// Shapes of the REST API's JSON, reusing the domain package's types (type-only: nothing of it is bundled).
import type { Account as DomainAccount, Contact as DomainContact } from '@consort/shared/accounts/model';
import type { BillJSON } from '@consort/shared/bills/model';
import type {
  BillableService as DomainBillableService,
  ContractedPack as DomainContractedPack,
  Pack as DomainPack,
  PackRate as DomainPackRate,
} from '@consort/shared/catalog/model';
import type { FieldCondition, Predicate, PredicateOp, PredicateValue } from '@consort/shared/catalog/predicate';
import type { StaffRole } from '@consort/shared/core/actor';
import type { Locale } from '@consort/shared/core/schemas';
import type { Host as DomainHost, Route as DomainRoute } from '@consort/shared/fleet/model';
import type { Order as DomainOrder } from '@consort/shared/orders/model';
import type { ExecutionLog, Operation as DomainOperation, OperationState } from '@consort/shared/provisioning/model';
import type { DnsRecord, DnsRecordInput } from '@consort/shared/services/domain/records';
import type { ServiceState } from '@consort/shared/services/model';
import type { PublicApiKey, PublicUser, Tenant as DomainTenant, UserRole } from '@consort/shared/tenancy/model';

export type {
  DnsRecord,
  DnsRecordInput,
  ExecutionLog,
  FieldCondition,
  Locale,
  OperationState,
  Predicate,
  PredicateOp,
  PredicateValue,
  ServiceState,
  StaffRole,
  UserRole,
};

/** A list endpoint's page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export type User = PublicUser;
export type Tenant = DomainTenant;
export type TenantSummary = Pick<DomainTenant, 'id' | 'name' | 'slug' | 'locale'> & Partial<Pick<DomainTenant, 'country' | 'currency'>>;
export type ApiKey = Omit<PublicApiKey, 'tenantId' | 'createdBy'> & Partial<Pick<PublicApiKey, 'tenantId' | 'createdBy'>>;
export type Account = DomainAccount;
export type Contact = DomainContact;
export type Host = DomainHost;
export type Route = DomainRoute;
export type Operation = DomainOperation;
export type ContactUsage = Contact['usages'][number];
export type AccountType = Account['type'];

/** A service as the API returns it; `spec` depends on the kind. */
export interface Service<Spec = Record<string, unknown>> {
  id: string;
  accountId: string;
  kind: string;
  name: string;
  spec: Spec;
  state: ServiceState;
  lastOperationId?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface DomainSpec {
  name: string;
  records?: DnsRecord[];
  ttl?: number;
}
export type DomainService = Service<DomainSpec>;

export interface ServiceKind {
  kind: string;
  label: string;
  backends: { name: string; label: string; config: Record<string, string> }[];
}

/** `POST /v1/auth/sessions` and `POST /v1/signup` both return a session token with the user and tenant. */
export interface SessionResponse {
  token: string;
  expiresAt: string;
  user: User;
  tenant: TenantSummary;
}

export interface Me {
  user: User;
  tenant: TenantSummary;
  permissions: string[];
}

export interface ServiceChange {
  service: DomainService;
  operation: Operation;
}

/** A billable service definition as the API returns it (`nominalPrice` a decimal string, never a JS number). */
export type BillableService = Omit<DomainBillableService, 'nominalPrice'> & { nominalPrice: string };
/** `POST`/`PATCH /v1/billable-services` also say how many orders the change wrote. */
export type BillableServiceChange = BillableService & { ordersSynced: number };
export type Metric = BillableService['metric'];
export type Duration = NonNullable<BillableService['trialPeriod']>;

/** A pack with its rates (prices as decimal strings). */
export type PackRate = Omit<DomainPackRate, 'price'> & { price: string };
export type Pack = Omit<DomainPack, 'rates'> & { rates: PackRate[] };
export type ContractedPack = DomainContractedPack;

/** An order as the API returns it (decimals as strings, dates as `YYYY-MM-DD`). */
export type Order = DomainOrder;

// `POST /v1/billing/preview`. The shapes follow `LineProposalJSON` and `SkippedOrder` of
// shared/src/pricing/engine.ts; every amount is a decimal string and stays one in this app.

export type DiscountReason = 'pack' | 'prorate' | 'trial' | 'deactivation' | 'revoked-cancellation' | 'compensation' | 'prepaid';
export type SkipReason =
  'ignored' | 'unknown-definition' | 'not-registered' | 'in-trial' | 'in-ignore-period' | 'cancelled-in-grace' | 'up-to-date';

export interface LineProposal {
  kind: 'charge' | 'recharge' | 'refund';
  orderId: string;
  accountId: string;
  serviceId: string;
  billableServiceId: string;
  description: string;
  periodStart: string;
  periodEnd: string;
  size: string;
  quantity: string;
  unitPrice: string;
  subtotal: string;
  discounts: { reason: DiscountReason; amount: string; explanation: string }[];
  total: string;
  isFee: boolean;
  taxCategory: string;
  currency: string;
  explanation: string;
}

export interface SkippedOrder {
  orderId: string;
  reason: SkipReason;
  explanation: string;
}

export interface BillingPreview {
  billUntil: string;
  currency: string;
  total: string;
  proposals: LineProposal[];
  skipped: SkippedOrder[];
}

// Bills (`/v1/bills`): the stored JSON form of shared/src/bills/model.ts — every amount a decimal string.

export type { AuditEntry as BillAuditEntry, BillState, BillType } from '@consort/shared/bills/model';
/** A bill with its lines, audit trail, the actions its state allows and (issued) its frozen document. */
export type Bill = BillJSON & { actions: string[]; renderModel?: unknown };
export type BillLine = BillJSON['lines'][number];
/** A row of `GET /v1/bills` (no lines, audit or effects). */
export type BillSummary = Omit<BillJSON, 'lines' | 'effects' | 'audit'> & { lineCount: number };
