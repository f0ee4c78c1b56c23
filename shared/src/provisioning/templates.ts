import { z } from 'zod';
import { ValidationError } from '../core/errors';
import type { TemplateSource } from '../ports/transport';
import type { BackendDefinition } from '../services/define-service-type';
import { serviceTypes, type AnyServiceType } from '../services/registry';
import type { TemplateMode } from './liquid';

// Tenant-editable provisioning templates (issue #6 item 5). A tenant overrides one template file by path; each save is
// a new numbered version and the latest one is active. "Revert" appends a version that removes the override, so the
// history keeps who went back to the default and when. Rendering reads through a per-tenant layered source
// (override → default file), keyed by the active versions so an edit takes effect on the next operation.

/** Largest override accepted (UTF-8 bytes); the defaults are a few KiB. */
export const TEMPLATE_MAX_BYTES = 64 * 1024;

/** `website.nginx`: a backend as the templates API names it (kinds never contain a dot). */
export const BackendId = z.string().regex(/^[a-z0-9]+\.[a-z0-9_-]+$/, 'A backend such as website.nginx');

/** A template file's name inside a backend: its file name (`save.sh.liquid`, `install-site.sh.liquid`). */
export const TemplateFileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.liquid$/, 'A template file name such as save.sh.liquid');

/** Template text with Unix line ends: browsers submit a textarea with CRLF, and a CR would end up in shell scripts. */
const TemplateText = z
  .string()
  .min(1, 'A template cannot be empty')
  .transform((text) => text.replace(/\r\n?/g, '\n'));

export const TemplateOverrideInput = z.object({
  text: TemplateText,
  comment: z.string().trim().max(500).optional(),
});
export type TemplateOverrideInput = z.infer<typeof TemplateOverrideInput>;

export const TemplateRevertInput = z.object({ comment: z.string().trim().max(500).optional() });

export const TemplatePreviewInput = z.object({
  serviceId: z.string().min(1).max(100),
  /** Candidate text (unsaved); omitted = the active version. */
  text: TemplateText.optional(),
});

export const TemplateDiffQuery = z.object({
  /** A stored version to compare with the default; omitted = the active override. */
  version: z.coerce.number().int().min(1).optional(),
});

/** One version of a tenant's override of one template file; `removed` marks a revert to the default. */
export interface TemplateVersion {
  tenantId: string;
  /** Path relative to `templates/`, e.g. `provisioning/website/nginx/site.conf.liquid`. */
  path: string;
  version: number;
  /** The override text; absent when `removed`. */
  text?: string;
  removed: boolean;
  author: string;
  createdAt: string;
  comment?: string;
}

/** Which override version a rendered script used, per template path (stored on the run's log). */
export interface TemplateUse {
  path: string;
  version: number;
}

export type TemplateRole = 'save' | 'delete' | 'commit' | 'file' | 'delete-file' | 'partial';

/** One template file a backend renders. */
export interface TemplateFile {
  name: string;
  path: string;
  role: TemplateRole;
  /** The output escape it renders with: `shell` scripts, `text` files, or a SQL dialect. */
  mode: TemplateMode;
}

export interface BackendTemplates {
  id: string;
  kind: string;
  backend: string;
  label: string;
  files: TemplateFile[];
}

const PARTIAL = /\{%-?\s*(?:render|include)\s+(['"])([^'"]+)\1/g;

/** Literal partial names a template renders (`{% render 'x' %}`); the engine accepts literal names only. */
export function partialsOf(text: string): string[] {
  return [...text.matchAll(PARTIAL)].map((m) => m[2]!);
}

function fileMode(backend: BackendDefinition<any>, file: string): TemplateMode {
  return file.endsWith('.sql.liquid') && backend.sql ? backend.sql : 'text';
}

async function backendFiles(defaults: TemplateSource, backend: BackendDefinition<any>): Promise<TemplateFile[]> {
  const roots: Omit<TemplateFile, 'name'>[] = [
    { path: `${backend.templates}/save.sh.liquid`, role: 'save', mode: 'shell' },
    { path: `${backend.templates}/delete.sh.liquid`, role: 'delete', mode: 'shell' },
    { path: `${backend.templates}/commit.sh.liquid`, role: 'commit', mode: 'shell' },
    ...Object.values(backend.files ?? {}).map((f) => ({
      path: `${backend.templates}/${f}`,
      role: 'file' as const,
      mode: fileMode(backend, f),
    })),
    ...Object.values(backend.deleteFiles ?? {}).map((f) => ({
      path: `${backend.templates}/${f}`,
      role: 'delete-file' as const,
      mode: fileMode(backend, f),
    })),
  ];
  const files = new Map<string, Omit<TemplateFile, 'name'>>();
  const queue = [...roots];
  while (queue.length) {
    const file = queue.shift()!;
    if (files.has(file.path)) continue;
    files.set(file.path, file);
    // Partials render with their caller's engine, so they inherit its output escape.
    for (const partial of partialsOf(await defaults.read(file.path))) queue.push({ path: partial, role: 'partial', mode: file.mode });
  }
  const list = [...files.values()].map((f) => ({ ...f, name: f.path.slice(f.path.lastIndexOf('/') + 1) }));
  const names = new Set(list.map((f) => f.name));
  if (names.size !== list.length) throw new Error(`Backend ${backend.name} has two template files with the same name`);
  return list;
}

const catalogs = new WeakMap<TemplateSource, Promise<BackendTemplates[]>>();

/**
 * Every backend of every service type with the template files it renders (save/delete/commit, `files`,
 * `deleteFiles` and the partials they render), read once per default source.
 */
export function templateCatalog(defaults: TemplateSource): Promise<BackendTemplates[]> {
  let catalog = catalogs.get(defaults);
  if (!catalog) {
    catalog = (async () => {
      const list: BackendTemplates[] = [];
      for (const type of serviceTypes as readonly AnyServiceType[]) {
        for (const backend of type.backends) {
          list.push({
            id: `${type.kind}.${backend.name}`,
            kind: type.kind,
            backend: backend.name,
            label: `${type.label} · ${backend.label}`,
            files: await backendFiles(defaults, backend),
          });
        }
      }
      return list;
    })();
    catalogs.set(defaults, catalog);
    catalog.catch(() => catalogs.delete(defaults));
  }
  return catalog;
}

/** The template paths one backend renders. */
export async function backendTemplatePaths(defaults: TemplateSource, kind: string, backend: string): Promise<Set<string>> {
  const entry = (await templateCatalog(defaults)).find((b) => b.kind === kind && b.backend === backend);
  return new Set(entry?.files.map((f) => f.path));
}

/** Checks an override's size and encoding before it is parsed (the parser gets no unbounded input). */
export function checkOverrideText(text: string): void {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > TEMPLATE_MAX_BYTES) {
    throw new ValidationError(`A template may have at most ${TEMPLATE_MAX_BYTES / 1024} KiB (this one has ${bytes} bytes)`, [
      { path: ['text'], message: `At most ${TEMPLATE_MAX_BYTES} bytes` },
    ]);
  }
  if (text.includes('\0'))
    throw new ValidationError('A template cannot contain NUL characters', [{ path: ['text'], message: 'NUL character' }]);
}

/** Reads overrides first, then the defaults; partials resolve through the same layers. */
export class LayeredTemplateSource implements TemplateSource {
  constructor(
    readonly defaults: TemplateSource,
    private readonly overrides: ReadonlyMap<string, string>,
  ) {}

  read(path: string): Promise<string> {
    const text = this.overrides.get(path);
    return text !== undefined ? Promise.resolve(text) : this.defaults.read(path);
  }

  /** The same layers with one more (unsaved) text on top, for previews and validation. */
  with(path: string, text: string): LayeredTemplateSource {
    return new LayeredTemplateSource(this.defaults, new Map([...this.overrides, [path, text]]));
  }
}

/** The active override of each path: the latest version, unless it removed the override. */
export function activeOverrides(heads: readonly TemplateVersion[]): TemplateVersion[] {
  return heads.filter((h) => !h.removed && h.text !== undefined).sort((a, b) => a.path.localeCompare(b.path));
}

// One layered source per (default source, tenant), replaced when the tenant's active versions change. Reusing the
// object keeps render.ts's engines (and LiquidJS's parse cache, keyed by the source) warm between operations, and a new
// version gives a new object, so no engine ever serves a stale parse.
const tenantSources = new WeakMap<TemplateSource, Map<string, { key: string; source: TemplateSource }>>();

/**
 * The template source a tenant's scripts render from, and the override versions it holds. With no overrides this is
 * the default source itself (shared by every such tenant).
 */
export function tenantTemplateSource(
  defaults: TemplateSource,
  tenantId: string,
  heads: readonly TemplateVersion[],
): { source: TemplateSource; versions: TemplateUse[] } {
  const active = activeOverrides(heads);
  const versions = active.map((h) => ({ path: h.path, version: h.version }));
  if (active.length === 0) return { source: defaults, versions };
  const key = versions.map((v) => `${v.path}@${v.version}`).join('\n');
  let perTenant = tenantSources.get(defaults);
  if (!perTenant) tenantSources.set(defaults, (perTenant = new Map()));
  const cached = perTenant.get(tenantId);
  if (cached?.key === key) return { source: cached.source, versions };
  const source = new LayeredTemplateSource(defaults, new Map(active.map((h) => [h.path, h.text!])));
  perTenant.set(tenantId, { key, source });
  return { source, versions };
}

/** A layered source (of any tenant's overrides) as a {@link LayeredTemplateSource}, to add a candidate on top. */
export function layered(source: TemplateSource): LayeredTemplateSource {
  return source instanceof LayeredTemplateSource ? source : new LayeredTemplateSource(source, new Map());
}

export interface DiffLine {
  type: ' ' | '+' | '-';
  text: string;
}

/** Line diff by longest common subsequence (templates are small: at most a few thousand lines). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  // Common prefix and suffix first: an edit usually touches a few lines of a long file.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = a.slice(0, start).map((text) => ({ type: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      lines.push({ type: ' ', text: midA[i]! });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      lines.push({ type: '-', text: midA[i++]! }); // removals before additions, as diff(1) prints them
    } else {
      lines.push({ type: '+', text: midB[j++]! });
    }
  }
  lines.push(...a.slice(endA).map((text) => ({ type: ' ' as const, text })));
  return lines;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around each change); empty when equal.
 * @example unifiedDiff('a\nb\n', 'a\nc\n', { from: 'default', to: 'v2' })
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const lines = diffLines(before, after);
  const changed = lines.map((l, i) => (l.type !== ' ' ? i : -1)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let k = 0;
  while (k < changed.length) {
    const first = Math.max(0, changed[k]! - context);
    let last = Math.min(lines.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= last + 1) {
      k++;
      last = Math.min(lines.length - 1, changed[k]! + context);
    }
    k++;
    // Hunk header positions: 1-based line numbers in each file, counting the lines before the hunk.
    let oldStart = 1;
    let newStart = 1;
    for (const l of lines.slice(0, first)) {
      if (l.type !== '+') oldStart++;
      if (l.type !== '-') newStart++;
    }
    const hunk = lines.slice(first, last + 1);
    const oldCount = hunk.filter((l) => l.type !== '+').length;
    const newCount = hunk.filter((l) => l.type !== '-').length;
    out.push(`@@ -${oldCount ? oldStart : oldStart - 1},${oldCount} +${newCount ? newStart : newStart - 1},${newCount} @@`);
    out.push(...hunk.map((l) => `${l.type}${l.text}`));
  }
  return out.join('\n') + '\n';
}
