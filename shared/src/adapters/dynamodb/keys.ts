/**
 * Key builders for the single table. Every tenant-owned key starts with the tenant id;
 * the only other partition is `PLATFORM` (slug claims and the tenant directory).
 * docs/data-model.md lists each item and the access pattern it serves.
 */
export const PLATFORM_PK = 'PLATFORM';

export const keys = {
  tenant: (tid: string) => ({ pk: tid, sk: 'TENANT' }),
  tenantDirectory: (tid: string) => ({ pk: PLATFORM_PK, sk: `TENANT#${tid}` }),
  slug: (slug: string) => ({ pk: PLATFORM_PK, sk: `SLUG#${slug}` }),
  secret: (tid: string, name: string) => ({ pk: tid, sk: `SECRET#${name}` }),
  user: (tid: string, uid: string) => ({ pk: tid, sk: `USER#${uid}` }),
  email: (tid: string, email: string) => ({ pk: tid, sk: `EMAIL#${email.toLowerCase()}` }),
  session: (tid: string, hash: string) => ({ pk: tid, sk: `SESSION#${hash}` }),
  apiKey: (tid: string, kid: string) => ({ pk: tid, sk: `APIKEY#${kid}` }),
  account: (tid: string, aid: string) => ({ pk: tid, sk: `ACCOUNT#${aid}` }),
  contact: (tid: string, aid: string, cid: string) => ({ pk: tid, sk: `CONTACT#${aid}#${cid}` }),
  host: (tid: string, hid: string) => ({ pk: tid, sk: `HOST#${hid}` }),
  route: (tid: string, rid: string) => ({ pk: tid, sk: `ROUTE#${rid}` }),
  service: (tid: string, sid: string) => ({ pk: tid, sk: `SERVICE#${sid}` }),
  uniqueName: (tid: string, kind: string, name: string) => ({ pk: tid, sk: `UNIQUE#${kind}#${name}` }),
  operation: (tid: string, oid: string) => ({ pk: tid, sk: `OP#${oid}` }),
  billableService: (tid: string, id: string) => ({ pk: tid, sk: `BILLABLE#${id}` }),
  pack: (tid: string, id: string) => ({ pk: tid, sk: `PACK#${id}` }),
  contractedPack: (tid: string, aid: string, id: string) => ({ pk: tid, sk: `CONTRACT#${aid}#${id}` }),
  order: (tid: string, oid: string) => ({ pk: tid, sk: `ORDER#${oid}` }),
};

/** Secondary index keys (gsi1: children of an account / operations of a service; gsi2: by kind / by state; outbox). */
export const indexKeys = {
  userOfAccount: (tid: string, aid: string, uid: string) => ({ gsi1pk: `${tid}#ACCOUNT#${aid}`, gsi1sk: `USER#${uid}` }),
  serviceOfAccount: (tid: string, aid: string, kind: string, name: string) => ({
    gsi1pk: `${tid}#ACCOUNT#${aid}`,
    gsi1sk: `SERVICE#${kind}#${name}`,
  }),
  serviceOfKind: (tid: string, kind: string, name: string) => ({ gsi2pk: `${tid}#KIND#${kind}`, gsi2sk: name }),
  operationOfService: (tid: string, sid: string, oid: string) => ({ gsi1pk: `${tid}#SERVICE#${sid}`, gsi1sk: `OP#${oid}` }),
  operationByState: (tid: string, state: string, oid: string) => ({ gsi2pk: `${tid}#OPSTATE#${state}`, gsi2sk: oid }),
  outbox: (tid: string, oid: string) => ({ gsi3pk: `${tid}#OUTBOX`, gsi3sk: oid }),
  orderOfService: (tid: string, sid: string, oid: string) => ({ gsi1pk: `${tid}#SERVICE#${sid}`, gsi1sk: `ORDER#${oid}` }),
  orderOfAccount: (tid: string, aid: string, registeredOn: string, oid: string) => ({
    gsi2pk: `${tid}#ORDERS#${aid}`,
    gsi2sk: `${registeredOn}#${oid}`,
  }),
};

/** Attributes that are keys, stripped from entities on read. */
export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'entity', 'expiresAtEpoch'];
