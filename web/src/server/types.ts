// Shapes of the REST API's JSON, reusing the domain package's types (type-only: nothing of it is bundled).
import type { Account as DomainAccount, Contact as DomainContact } from '@consort/shared/accounts/model';
import type { StaffRole } from '@consort/shared/core/actor';
import type { Locale } from '@consort/shared/core/schemas';
import type { Host as DomainHost, Route as DomainRoute } from '@consort/shared/fleet/model';
import type { ExecutionLog, Operation as DomainOperation, OperationState } from '@consort/shared/provisioning/model';
import type { DnsRecord, DnsRecordInput } from '@consort/shared/services/domain/records';
import type { ServiceState } from '@consort/shared/services/model';
import type { PublicApiKey, PublicUser, Tenant as DomainTenant, UserRole } from '@consort/shared/tenancy/model';

export type { DnsRecord, DnsRecordInput, ExecutionLog, Locale, OperationState, ServiceState, StaffRole, UserRole };

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
