import { getAccountOrThrow } from '../accounts/use-cases';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import { resyncKind } from '../orders/use-cases';
import { tenantOrThrow } from '../tenancy/use-cases';
import {
  billableServiceToJSON,
  contractIssues,
  ContractedPackInput,
  ContractedPackPatch,
  PackInput,
  packIssues,
  PackPatch,
  packToJSON,
  parseBillableServiceInput,
  patchBillableService,
  type BillableService,
  type ContractedPack,
  type Pack,
} from './model';

// Staff manage what the tenant sells: billable service definitions, packs and the packs accounts contract.
// Creating or changing a definition re-syncs the orders of every service of its kind, so the catalog and the
// orders never disagree about which services are billed.

async function definitionOrThrow(deps: CoreDeps, actor: Actor, id: string): Promise<BillableService> {
  authorize(actor, 'catalog:read');
  const definition = await deps.store.billableServices.get(actor.tenantId, id);
  if (!definition) throw new NotFoundError('Billable service', id);
  return definition;
}

export async function listBillableServices(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'catalog:read');
  const items = await deps.store.billableServices.list(actor.tenantId);
  return { items: items.sort((a, b) => a.name.localeCompare(b.name)).map(billableServiceToJSON) };
}

export async function getBillableService(deps: CoreDeps, actor: Actor, id: string) {
  return billableServiceToJSON(await definitionOrThrow(deps, actor, id));
}

/** Define a billable service; services of its kind that match get their orders now. */
export async function createBillableService(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'catalog:write');
  const tenant = await tenantOrThrow(deps, actor);
  const data = parseBillableServiceInput(input);
  const now = deps.clock.now().toISOString();
  const definition: BillableService = {
    ...data,
    tenantId: actor.tenantId,
    id: newId('billableService', deps.clock),
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.billableServices.put(definition);
  const orders = await resyncKind(deps, tenant, definition.serviceKind);
  return { ...billableServiceToJSON(definition), ordersSynced: orders };
}

export async function updateBillableService(deps: CoreDeps, actor: Actor, id: string, input: unknown) {
  authorize(actor, 'catalog:write');
  const tenant = await tenantOrThrow(deps, actor);
  const current = await definitionOrThrow(deps, actor, id);
  const next = { ...patchBillableService(current, input), updatedAt: deps.clock.now().toISOString() };
  if (next.serviceKind !== current.serviceKind) {
    throw new ValidationError('A billable service keeps its service kind; define a new one instead', [
      { path: ['serviceKind'], message: `Stays ${current.serviceKind}` },
    ]);
  }
  await deps.store.billableServices.put(next);
  const orders = await resyncKind(deps, tenant, next.serviceKind);
  return { ...billableServiceToJSON(next), ordersSynced: orders };
}

export async function deleteBillableService(deps: CoreDeps, actor: Actor, id: string) {
  authorize(actor, 'catalog:write');
  await definitionOrThrow(deps, actor, id);
  await deps.store.billableServices.delete(actor.tenantId, id);
}

async function packOrThrow(deps: CoreDeps, actor: Actor, id: string): Promise<Pack> {
  authorize(actor, 'catalog:read');
  const pack = await deps.store.packs.get(actor.tenantId, id);
  if (!pack) throw new NotFoundError('Pack', id);
  return pack;
}

async function checkPackRates(deps: CoreDeps, tenantId: string, pack: Pick<Pack, 'rates'>) {
  const ids = new Set((await deps.store.billableServices.list(tenantId)).map((d) => d.id));
  const issues = packIssues(pack, ids);
  if (issues.length) throw new ValidationError('Some rates refer to unknown billable services', issues);
}

export async function listPacks(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'catalog:read');
  const items = await deps.store.packs.list(actor.tenantId);
  return { items: items.sort((a, b) => a.name.localeCompare(b.name)).map(packToJSON) };
}

export async function getPack(deps: CoreDeps, actor: Actor, id: string) {
  return packToJSON(await packOrThrow(deps, actor, id));
}

export async function createPack(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'catalog:write');
  const data = parseInput(PackInput, input);
  await checkPackRates(deps, actor.tenantId, data);
  const now = deps.clock.now().toISOString();
  const pack: Pack = { ...data, tenantId: actor.tenantId, id: newId('pack', deps.clock), createdAt: now, updatedAt: now };
  await deps.store.packs.put(pack);
  return packToJSON(pack);
}

export async function updatePack(deps: CoreDeps, actor: Actor, id: string, input: unknown) {
  authorize(actor, 'catalog:write');
  const current = await packOrThrow(deps, actor, id);
  const patch = parseInput(PackPatch, input);
  const merged = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  // Re-validate the whole pack so the cross-field rules (default vs multiple, duplicate rates) hold after the merge.
  const json = packToJSON(current);
  const next = parseInput(PackInput, {
    ...json,
    ...merged,
    rates: patch.rates ? patch.rates.map((r) => ({ ...r, price: r.price.toFixed() })) : json.rates,
  });
  await checkPackRates(deps, actor.tenantId, next);
  const pack: Pack = {
    ...next,
    tenantId: current.tenantId,
    id: current.id,
    createdAt: current.createdAt,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.packs.put(pack);
  return packToJSON(pack);
}

export async function deletePack(deps: CoreDeps, actor: Actor, id: string) {
  authorize(actor, 'catalog:write');
  await packOrThrow(deps, actor, id);
  await deps.store.packs.delete(actor.tenantId, id);
}

/** Packs an account has contracted (customers see their own). */
export async function listContractedPacks(deps: CoreDeps, actor: Actor, accountId: string) {
  authorize(actor, actor.type === 'customer' ? 'accounts:read' : 'catalog:read');
  await getAccountOrThrow(deps, actor, accountId);
  const items = await deps.store.contractedPacks.list(actor.tenantId, accountId);
  return { items: items.sort((a, b) => a.startsOn.localeCompare(b.startsOn)) };
}

export async function contractPack(deps: CoreDeps, actor: Actor, accountId: string, input: unknown) {
  authorize(actor, 'catalog:write');
  await getAccountOrThrow(deps, actor, accountId);
  const data = parseInput(ContractedPackInput, { ...(input as object), accountId });
  const pack = await deps.store.packs.get(actor.tenantId, data.packId);
  if (!pack) throw new ValidationError('Unknown pack', [{ path: ['packId'], message: `No pack ${data.packId}` }]);
  const existing = await deps.store.contractedPacks.list(actor.tenantId, accountId);
  const issues = contractIssues(pack, existing, data);
  if (issues.length) throw new ValidationError('This pack cannot be contracted', issues);
  const contract: ContractedPack = {
    ...data,
    tenantId: actor.tenantId,
    id: newId('contractedPack', deps.clock),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.store.contractedPacks.put(contract);
  return contract;
}

/** End a contraction on `endsOn`, move its end, or reopen it with `endsOn: null`. */
export async function updateContractedPack(deps: CoreDeps, actor: Actor, accountId: string, id: string, input: unknown) {
  authorize(actor, 'catalog:write');
  await getAccountOrThrow(deps, actor, accountId);
  const current = await deps.store.contractedPacks.get(actor.tenantId, accountId, id);
  if (!current) throw new NotFoundError('Contracted pack', id);
  const patch = parseInput(ContractedPackPatch, input);
  const { endsOn: _old, ...rest } = current;
  const next: ContractedPack = patch.endsOn ? { ...rest, endsOn: patch.endsOn } : rest;
  parseInput(ContractedPackInput, next);
  const pack = await deps.store.packs.get(actor.tenantId, current.packId);
  if (pack) {
    const issues = contractIssues(pack, await deps.store.contractedPacks.list(actor.tenantId, accountId), next);
    if (issues.length) throw new ValidationError('This pack cannot be contracted', issues);
  }
  await deps.store.contractedPacks.put(next);
  return next;
}

export async function removeContractedPack(deps: CoreDeps, actor: Actor, accountId: string, id: string) {
  authorize(actor, 'catalog:write');
  await getAccountOrThrow(deps, actor, accountId);
  const current = await deps.store.contractedPacks.get(actor.tenantId, accountId, id);
  if (!current) throw new NotFoundError('Contracted pack', id);
  await deps.store.contractedPacks.delete(actor.tenantId, accountId, id);
}
