import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { DomainError, NotFoundError, ValidationError } from '../core/errors';
import { parseInput } from '../core/validate';
import type { Host } from '../fleet/model';
import { routingDocument } from '../fleet/route-match';
import { resolveRouting } from '../fleet/routing';
import type { TemplateSource } from '../ports/transport';
import type { BackendDefinition } from '../services/define-service-type';
import type { Service } from '../services/model';
import { serviceType } from '../services/registry';
import type { Tenant } from '../tenancy/model';
import { tenantOrThrow } from '../tenancy/use-cases';
import { createTemplateEngine } from './liquid';
import { renderUnitOfWork } from './render';
import {
  BackendId,
  TemplateDiffQuery,
  TemplateFileName,
  TemplateOverrideInput,
  TemplatePreviewInput,
  TemplateRevertInput,
  checkOverrideText,
  diffLines,
  layered,
  partialsOf,
  templateCatalog,
  tenantTemplateSource,
  unifiedDiff,
  type BackendTemplates,
  type TemplateFile,
  type TemplateUse,
  type TemplateVersion,
} from './templates';

/** Use cases that render need the default templates (the repo's `templates/` folder). */
export interface TemplateDeps extends CoreDeps {
  templates: TemplateSource;
}

/** The source a tenant's scripts render from (its active overrides over the defaults) and the versions it holds. */
export async function tenantTemplates(deps: TemplateDeps, tenantId: string): Promise<{ source: TemplateSource; versions: TemplateUse[] }> {
  return tenantTemplateSource(deps.templates, tenantId, await deps.store.templates.heads(tenantId));
}

/**
 * The override versions a backend's scripts read: its save/delete/commit and file templates and, through the
 * tenant's own texts, every partial they render. Recorded on each run's log.
 */
export async function templatesUsed(
  source: TemplateSource,
  backend: BackendDefinition<any>,
  versions: readonly TemplateUse[],
): Promise<TemplateUse[]> {
  if (versions.length === 0) return [];
  const roots = [
    'save.sh.liquid',
    'delete.sh.liquid',
    'commit.sh.liquid',
    ...Object.values(backend.files ?? {}),
    ...Object.values(backend.deleteFiles ?? {}),
  ].map((f) => `${backend.templates}/${f}`);
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      queue.push(...partialsOf(await source.read(path)));
    } catch {
      // A missing partial fails the render itself, with a clearer message.
    }
  }
  return versions.filter((v) => seen.has(v.path));
}

async function findBackend(deps: TemplateDeps, backendId: string) {
  const id = parseInput(BackendId, backendId, ['backend']);
  const catalog = await templateCatalog(deps.templates);
  const entry = catalog.find((b) => b.id === id);
  if (!entry) throw new NotFoundError('Backend', id);
  const definition = serviceType(entry.kind)!.backends.find((b) => b.name === entry.backend)!;
  return { catalog, entry, definition };
}

async function findFile(deps: TemplateDeps, backendId: string, fileName: string) {
  const found = await findBackend(deps, backendId);
  const name = parseInput(TemplateFileName, fileName, ['file']);
  const file = found.entry.files.find((f) => f.name === name);
  if (!file) throw new NotFoundError('Template', `${found.entry.id}/${name}`);
  // A shared partial (e.g. the website install step) is one override for every backend that renders it.
  const users = found.catalog.filter((b) => b.files.some((f) => f.path === file.path));
  return { ...found, file, users };
}

function describe(file: TemplateFile, users: BackendTemplates[], head: TemplateVersion | undefined) {
  return {
    name: file.name,
    path: file.path,
    role: file.role,
    mode: file.mode,
    sharedWith: users.map((u) => u.id),
    overridden: Boolean(head && !head.removed),
    activeVersion: head && !head.removed ? head.version : null,
    lastVersion: head?.version ?? 0,
  };
}

/** Every backend with its template files and which of them the tenant overrides. */
export async function listTemplates(deps: TemplateDeps, actor: Actor) {
  authorize(actor, 'templates:manage');
  const [catalog, heads] = await Promise.all([templateCatalog(deps.templates), deps.store.templates.heads(actor.tenantId)]);
  const byPath = new Map(heads.map((h) => [h.path, h]));
  return {
    items: catalog.map((b) => ({
      id: b.id,
      kind: b.kind,
      backend: b.backend,
      label: b.label,
      files: b.files.map((f) =>
        describe(
          f,
          catalog.filter((u) => u.files.some((x) => x.path === f.path)),
          byPath.get(f.path),
        ),
      ),
    })),
  };
}

/** One template: its default text, the tenant's active override and every version, newest first. */
export async function getTemplate(deps: TemplateDeps, actor: Actor, backendId: string, fileName: string) {
  authorize(actor, 'templates:manage');
  const { entry, file, users } = await findFile(deps, backendId, fileName);
  const [defaultText, versions] = await Promise.all([
    deps.templates.read(file.path),
    deps.store.templates.versions(actor.tenantId, file.path),
  ]);
  const head = versions[0];
  return {
    backend: { id: entry.id, kind: entry.kind, backend: entry.backend, label: entry.label },
    file: describe(file, users, head),
    defaultText,
    active: head && !head.removed ? head : null,
    versions,
  };
}

/** A live service of a kind to render a check against (the first by name among the first 25). */
async function sampleService(deps: TemplateDeps, tenantId: string, kind: string): Promise<Service | undefined> {
  const page = await deps.store.services.list(tenantId, { kind, limit: 25 });
  return page.items.find((s) => s.kind === kind && s.state !== 'deleted' && s.state !== 'deleting');
}

/** The host whose settings a preview uses: the one the service's routes pick for this backend, else the defaults. */
async function previewHost(deps: TemplateDeps, tenant: Tenant, service: Service, backend: string): Promise<Host> {
  const [routes, account] = await Promise.all([deps.store.routes.list(tenant.id), deps.store.accounts.get(tenant.id, service.accountId)]);
  const routing = resolveRouting(routes, service.kind, routingDocument(service, account));
  const unit = 'units' in routing ? routing.units.find((u) => u.backend === backend) : undefined;
  const host = unit ? await deps.store.hosts.get(tenant.id, unit.hostId) : undefined;
  if (host) return host;
  const now = tenant.createdAt;
  return {
    id: 'preview',
    tenantId: tenant.id,
    name: 'preview (backend defaults)',
    address: 'preview.invalid',
    port: 22,
    username: 'root',
    transport: 'ssh',
    config: {},
    createdAt: now,
    updatedAt: now,
  };
}

async function renderFor(deps: TemplateDeps, tenant: Tenant, source: TemplateSource, backend: BackendDefinition<any>, service: Service) {
  const host = await previewHost(deps, tenant, service, backend.name);
  const scripts = [];
  for (const action of ['save', 'delete'] as const) {
    const item = {
      operationId: 'preview',
      action,
      service: {
        id: service.id,
        accountId: service.accountId,
        name: service.name,
        kind: service.kind,
        spec: service.spec,
        backendState: service.backendState,
      },
    };
    const { script } = await renderUnitOfWork({ templates: source, tenant, host, backend, items: [item] });
    scripts.push({ action, script });
  }
  return { hostName: host.name, scripts };
}

function errorMessage(error: unknown): string {
  if (error instanceof ValidationError) return error.message;
  if (error instanceof DomainError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Check a candidate text: size, then a parse in the sandbox it renders in (same engine options and output escape as
 * real runs), then a render of every backend that uses it against a live service of that kind. Throws a 422 whose
 * message carries LiquidJS's line and column.
 */
async function validateCandidate(deps: TemplateDeps, tenant: Tenant, found: Awaited<ReturnType<typeof findFile>>, text: string) {
  checkOverrideText(text);
  const { source } = await tenantTemplates(deps, tenant.id);
  const candidate = layered(source).with(found.file.path, text);
  try {
    createTemplateEngine({ templates: candidate, mode: found.file.mode }).parse(text, found.file.path);
  } catch (error) {
    throw new ValidationError(`The template does not parse: ${errorMessage(error)}`, [{ path: ['text'], message: errorMessage(error) }]);
  }
  const checked: string[] = [];
  for (const user of found.users) {
    const service = await sampleService(deps, tenant.id, user.kind);
    if (!service) continue;
    const backend = serviceType(user.kind)!.backends.find((b) => b.name === user.backend)!;
    try {
      await renderFor(deps, tenant, candidate, backend, service);
    } catch (error) {
      const message = `${user.id} with ${service.kind} ${service.name}: ${errorMessage(error)}`;
      throw new ValidationError(`The template does not render: ${message}`, [{ path: ['text'], message }]);
    }
    checked.push(`${user.id}: ${service.name}`);
  }
  return checked;
}

/** Save a new version of the tenant's override of one template (it becomes active on the next operation). */
export async function saveTemplate(deps: TemplateDeps, actor: Actor, backendId: string, fileName: string, raw: unknown) {
  authorize(actor, 'templates:manage');
  const input = parseInput(TemplateOverrideInput, raw);
  const found = await findFile(deps, backendId, fileName);
  const tenant = await tenantOrThrow(deps, actor);
  const checkedAgainst = await validateCandidate(deps, tenant, found, input.text);
  const version = await append(deps, actor, found.file.path, { text: input.text, removed: false, comment: input.comment });
  return { version, checkedAgainst };
}

/** Go back to the default: a new version that removes the override (the history keeps every text). */
export async function revertTemplate(deps: TemplateDeps, actor: Actor, backendId: string, fileName: string, raw: unknown) {
  authorize(actor, 'templates:manage');
  const input = parseInput(TemplateRevertInput, raw ?? {});
  const found = await findFile(deps, backendId, fileName);
  const versions = await deps.store.templates.versions(actor.tenantId, found.file.path);
  if (!versions[0] || versions[0].removed)
    throw new ValidationError('This template is not overridden', [{ path: ['file'], message: 'Already the default' }]);
  return { version: await append(deps, actor, found.file.path, { removed: true, comment: input.comment }) };
}

async function append(deps: TemplateDeps, actor: Actor, path: string, change: { text?: string; removed: boolean; comment?: string }) {
  const versions = await deps.store.templates.versions(actor.tenantId, path);
  const record: TemplateVersion = {
    tenantId: actor.tenantId,
    path,
    version: (versions[0]?.version ?? 0) + 1,
    ...(change.text !== undefined ? { text: change.text } : {}),
    removed: change.removed,
    author: describeActor(actor),
    createdAt: deps.clock.now().toISOString(),
    ...(change.comment ? { comment: change.comment } : {}),
  };
  await deps.store.templates.append(record);
  return record;
}

/**
 * Render a backend's scripts (save and delete) for one of the tenant's services with a candidate text (unsaved) or
 * the active version; errors come back in the result, not as a failure, so an editor can show them.
 */
export async function previewTemplate(deps: TemplateDeps, actor: Actor, backendId: string, fileName: string, raw: unknown) {
  authorize(actor, 'templates:manage');
  const input = parseInput(TemplatePreviewInput, raw);
  const found = await findFile(deps, backendId, fileName);
  const tenant = await tenantOrThrow(deps, actor);
  const service = await deps.store.services.get(actor.tenantId, input.serviceId);
  if (!service || service.state === 'deleted') throw new NotFoundError('Service', input.serviceId);
  if (service.kind !== found.entry.kind) {
    throw new ValidationError(`Service ${service.name} is a ${service.kind}, not a ${found.entry.kind}`, [
      { path: ['serviceId'], message: 'Wrong kind' },
    ]);
  }
  const { source } = await tenantTemplates(deps, tenant.id);
  const defaultText = await deps.templates.read(found.file.path);
  const activeText = await source.read(found.file.path);
  const text = input.text ?? activeText;
  const errors: string[] = [];
  let rendered: Awaited<ReturnType<typeof renderFor>> | undefined;
  try {
    checkOverrideText(text);
    const candidate = layered(source).with(found.file.path, text);
    createTemplateEngine({ templates: candidate, mode: found.file.mode }).parse(text, found.file.path);
    rendered = await renderFor(deps, tenant, candidate, found.definition, service);
  } catch (error) {
    errors.push(errorMessage(error));
  }
  return {
    service: { id: service.id, name: service.name },
    hostName: rendered?.hostName,
    scripts: rendered?.scripts ?? [],
    errors,
    diff: unifiedDiff(defaultText, text, { from: `${found.file.path} (default)`, to: `${found.file.path} (candidate)` }),
  };
}

/** The unified diff of a stored version (or the active override) against the default text. */
export async function diffTemplate(deps: TemplateDeps, actor: Actor, backendId: string, fileName: string, query: unknown) {
  authorize(actor, 'templates:manage');
  const { version } = parseInput(TemplateDiffQuery, query ?? {});
  const found = await findFile(deps, backendId, fileName);
  const versions = await deps.store.templates.versions(actor.tenantId, found.file.path);
  const chosen = version === undefined ? versions[0] : versions.find((v) => v.version === version);
  if (version !== undefined && !chosen) throw new NotFoundError('Template version', `${found.file.name} v${version}`);
  const defaultText = await deps.templates.read(found.file.path);
  const text = chosen && !chosen.removed ? chosen.text! : defaultText;
  const label = chosen ? `version ${chosen.version}${chosen.removed ? ' (default restored)' : ''}` : 'default';
  return {
    version: chosen?.version ?? null,
    diff: unifiedDiff(defaultText, text, { from: `${found.file.path} (default)`, to: `${found.file.path} (${label})` }),
    lines: diffLines(defaultText, text),
  };
}
