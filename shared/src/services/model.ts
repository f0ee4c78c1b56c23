import { z } from 'zod';

/**
 * Provisioning state of a service as seen by users:
 * pending (change queued), applied (last change reached every host), failed (last change failed; retry possible),
 * deleting (removal queued), deleted (kept for history).
 */
export const SERVICE_STATES = ['pending', 'applied', 'failed', 'deleting', 'deleted'] as const;
export const ServiceState = z.enum(SERVICE_STATES);
export type ServiceState = z.infer<typeof ServiceState>;

export interface Service<Spec = Record<string, unknown>> {
  id: string;
  tenantId: string;
  accountId: string;
  kind: string;
  /** Unique per tenant and kind (e.g. the domain name). */
  name: string;
  spec: Spec;
  /** Backend-carried state, e.g. the DNS serial. */
  backendState: Record<string, unknown>;
  state: ServiceState;
  /** Id of the latest operation for this service. */
  lastOperationId?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const ServiceCreate = z.object({
  accountId: z.string(),
  kind: z.string(),
  spec: z.unknown(),
});
export const ServicePatch = z.object({ spec: z.unknown() });
