import type { z } from 'zod';
import type { ServiceTypeDefinition } from './define-service-type';
import { database, databaseUser } from './database';
import { domain } from './domain';
import { autoresponse, mailAddress, mailbox } from './mail';
import { systemUser } from './systemuser';
import { website } from './website';
import { webApp } from './webapp';
import { mailingList } from './mailinglist';
import { misc } from './misc';

/** Every hosting service type. Adding one = a module + its templates + its test, listed here. */
export const serviceTypes = [
  domain,
  systemUser,
  website,
  mailbox,
  mailAddress,
  autoresponse,
  database,
  databaseUser,
  webApp,
  mailingList,
  misc,
] as const;

export type ServiceKind = (typeof serviceTypes)[number]['kind'];
export const SERVICE_KINDS = serviceTypes.map((t) => t.kind) as [ServiceKind, ...ServiceKind[]];

export type AnyServiceType = ServiceTypeDefinition<string, z.ZodType<any>>;

/** Look up a service type by kind; undefined for unknown kinds. */
export function serviceType(kind: string): AnyServiceType | undefined {
  return (serviceTypes as readonly AnyServiceType[]).find((t) => t.kind === kind);
}
