import type { Liquid } from 'liquidjs';
import { DomainError, ValidationError } from '../core/errors';
import type { Host } from '../fleet/model';
import type { TemplateSource } from '../ports/transport';
import type { BackendDefinition } from '../services/define-service-type';
import { serviceType } from '../services/registry';
import type { Tenant } from '../tenancy/model';
import { createTemplateEngine, type TemplateMode } from './liquid';
import { shellQuote } from './shell';

/** One changed service in a unit of work. */
export interface UnitItem {
  operationId: string;
  action: 'save' | 'delete';
  service: { id: string; accountId: string; name: string; kind: string; spec: unknown; backendState: Record<string, unknown> };
}

export interface RenderUnitInput {
  templates: TemplateSource;
  tenant: Pick<Tenant, 'id' | 'slug' | 'settings'>;
  host: Host;
  backend: BackendDefinition<any>;
  items: UnitItem[];
}

// Helpers every section may use. They turn configured values (data) into arguments without ever evaluating
// them: a host setting such as `bind.reload = rndc reload` is split on blanks, never run through `eval`.
const PRELUDE = String.raw`
# consort_fail MESSAGE — stop this unit of work with a message on stderr.
consort_fail() { printf 'consort: %s\n' "$*" >&2; exit 1; }
# consort_command NAME VALUE — split a configured command (e.g. "rndc reload") into the array NAME on blanks.
# No expansion, globbing, quoting or redirection applies: the value is data, not shell code.
consort_command() {
  local -n consort_argv_=$1
  [[ $2 != *[$'\n\r']* ]] || consort_fail "the command configured for $1 contains a line break"
  read -r -a consort_argv_ <<< "$2"
  [ "${'$'}{#consort_argv_[@]}" -gt 0 ] || consort_fail "no command is configured for $1"
}
# consort_path VALUE SETTING — a configured path must be absolute and plain (it is also written into config files).
consort_path() {
  [[ $1 =~ ^/[A-Za-z0-9._/+@-]*$ ]] || consort_fail "host setting $2 must be an absolute path of letters, digits and ._/+@- (got: $1)"
}
`;

const engines = new WeakMap<TemplateSource, Record<TemplateMode, Liquid>>();

function enginesFor(templates: TemplateSource) {
  let set = engines.get(templates);
  if (!set) {
    const engine = (mode: TemplateMode) => createTemplateEngine({ templates, mode });
    set = { shell: engine('shell'), text: engine('text'), mysql: engine('mysql'), postgresql: engine('postgresql') };
    engines.set(templates, set);
  }
  return set;
}

/** The engine of a file template: SQL quoting for `*.sql.liquid` of a backend with a dialect, plain text otherwise. */
function fileEngine(set: Record<TemplateMode, Liquid>, backend: BackendDefinition<any>, file: string): Liquid {
  if (!file.endsWith('.sql.liquid')) return set.text;
  if (!backend.sql) throw new DomainError('backend_invalid', `Backend ${backend.name} has SQL templates but no sql dialect`);
  return set[backend.sql];
}

async function render(engine: Liquid, path: string, context: Record<string, unknown>): Promise<string> {
  try {
    return String(await engine.renderFile(path, context));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new DomainError('render_failed', `Rendering ${path} failed: ${message}`, undefined, { cause: error });
  }
}

/**
 * A backend's settings on a host: the backend's defaults overridden by the host's own `backend.option` values
 * (host keys of other backends are left out).
 */
export function hostConfig(backend: BackendDefinition<any>, host: Pick<Host, 'config'>): Record<string, string> {
  const config: Record<string, string> = { ...backend.config };
  for (const [key, value] of Object.entries(host.config ?? {})) {
    if (key in backend.config || key.startsWith(`${backend.name}.`)) config[key] = value;
  }
  return config;
}

/** The stored spec, checked again against its service type: a validation gap must not reach a host. */
function validSpec(item: UnitItem): unknown {
  const type = serviceType(item.service.kind);
  if (!type) return item.service.spec; // only test backends use unregistered kinds
  const parsed = type.spec.safeParse(item.service.spec);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: ['spec', ...i.path.map(String)], message: i.message }));
    throw new ValidationError(`The stored spec of ${item.service.kind} ${item.service.name} is no longer valid`, details);
  }
  return parsed.data;
}

function section(title: string, body: string): string {
  // Each section runs in a subshell: its variables and EXIT trap (temp file clean-up) stay its own, and a
  // failure stops the whole unit (set -e), before the commit.
  return [`echo ${shellQuote(`>>> ${title}`)}`, '(', body.trimEnd(), ')', `echo ${shellQuote(`<<< ${title}: done`)}`, ''].join('\n');
}

/**
 * Render one unit of work for a backend on a host: for each item its file templates (text engine) and its
 * `save.sh.liquid` / `delete.sh.liquid` section (shell engine, every value quoted), then `commit.sh.liquid`
 * once (the single daemon reload). The script is idempotent: running it again leaves the host the same.
 * @example const { script } = await renderUnitOfWork({ templates, tenant, host, backend: domain.backends[0], items });
 */
export async function renderUnitOfWork(input: RenderUnitInput): Promise<{ script: string }> {
  const { templates, tenant, host, backend, items } = input;
  const set = enginesFor(templates);
  const { shell } = set;
  const config = hostConfig(backend, host);
  const parts = [
    '#!/bin/bash',
    `# Consort provisioning: backend ${oneLine(backend.name)} on host ${oneLine(host.name)} for tenant ${oneLine(tenant.slug)}.`,
    '# Idempotent: running it again leaves the host in the same state.',
    'set -euo pipefail',
    'umask 022',
    'export LC_ALL=C',
    PRELUDE,
  ];
  for (const item of items) {
    const { service } = item;
    const context = backend.context({
      service: {
        id: service.id,
        accountId: service.accountId,
        name: service.name,
        spec: validSpec(item),
        state: service.backendState ?? {},
      },
      tenant,
      config,
    });
    if ('files' in context) throw new DomainError('backend_invalid', `Backend ${backend.name} must not define a files variable`);
    const files: Record<string, string> = {};
    // A delete needs no file contents, only the names to remove (or its own `deleteFiles`, such as SQL).
    for (const [name, file] of Object.entries((item.action === 'save' ? backend.files : backend.deleteFiles) ?? {})) {
      files[name] = await render(fileEngine(set, backend, file), `${backend.templates}/${file}`, context);
    }
    const body = await render(shell, `${backend.templates}/${item.action}.sh.liquid`, { ...context, files });
    parts.push(section(`${item.action} ${service.kind} ${service.name} (operation ${item.operationId})`, body));
  }
  const commit = await render(shell, `${backend.templates}/commit.sh.liquid`, { config, operations: items.map((i) => i.operationId) });
  parts.push(section(`commit ${backend.name}`, commit));
  parts.push(`echo ${shellQuote(`consort: ${items.length} change(s) applied`)}`, '');
  return { script: parts.join('\n') };
}

/** Names in the header comment come from validated models; this keeps a comment one line regardless. */
function oneLine(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
