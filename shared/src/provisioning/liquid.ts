import { Liquid, type FS } from 'liquidjs';
import type { TemplateSource } from '../ports/transport';
import { shellQuote } from './shell';
import { SqlIdentifier, sqlValue, type SqlDialect } from './sql';

/**
 * `shell`: every `{{ value }}` (and `{% echo %}`, `{% cycle %}`) is passed through {@link shellQuote}, so a template
 * author cannot forget to quote and no value can become shell syntax.
 * `text`: for files a script writes (zone files); values are printed as they are, but must be single-line —
 * they were validated by the service's schema, this is the last guard against a line that adds records.
 * `mysql` / `postgresql`: for SQL a script pipes into the database client; every value is a quoted string literal,
 * or a quoted identifier through the `ident` filter (see `sql.ts`).
 */
export type TemplateMode = 'shell' | 'text' | SqlDialect;

export interface TemplateEngineOptions {
  templates: TemplateSource;
  mode: TemplateMode;
}

/** Output escape of `text` templates: strings and numbers without control characters (tab allowed). */
export function textValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else throw new TypeError(`Cannot print ${value === undefined ? 'undefined' : value === null ? 'null' : typeof value} in a file template`);
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(text))
    throw new TypeError('A value printed in a file template contains a line break or control character');
  return text;
}

/**
 * A LiquidJS file system over a {@link TemplateSource}: partials (`{% render 'x' %}`) resolve against the
 * `templates/` root only, through the source's own path checks, never through node:fs.
 */
function templateSourceFs(templates: TemplateSource): FS {
  // With dynamicPartials off, `{% render 'x.sh.liquid' %}` hands over the name with its quotes: a partial name is
  // always the literal written in the template, never a variable's value.
  const resolve = (_dir: string, file: string) => file.replace(/^(['"])(.*)\1$/, '$2').replace(/^\.\//, '');
  const syncUnsupported = () => {
    throw new Error('Provisioning templates render asynchronously only');
  };
  return {
    resolve,
    exists: async (path) => {
      try {
        await templates.read(path);
        return true;
      } catch {
        return false;
      }
    },
    readFile: (path) => templates.read(path),
    existsSync: syncUnsupported,
    readFileSync: syncUnsupported,
    contains: async () => true,
    containsSync: () => true,
    sep: '/',
  };
}

/**
 * A sandboxed LiquidJS engine for provisioning templates: strict variables and filters (a typo is a render
 * error, not an empty string), own properties only, literal partial names read through the TemplateSource,
 * and no escape hatch — the `raw` filter throws and no filter may skip the output escape.
 * @example
 * const engine = createTemplateEngine({ templates, mode: 'shell' });
 * const script = await engine.renderFile('provisioning/domain/bind/save.sh.liquid', context);
 */
export function createTemplateEngine({ templates, mode }: TemplateEngineOptions): Liquid {
  const engine = new Liquid({
    fs: templateSourceFs(templates),
    root: ['.'],
    relativeReference: false,
    dynamicPartials: false,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    jsTruthy: false,
    lenientIf: false,
    cache: true,
    outputEscape: mode === 'shell' ? shellQuote : mode === 'text' ? textValue : (value: unknown) => sqlValue(mode, value),
    // A template renders a few zones' worth of text; these only stop a runaway loop.
    parseLimit: 1_000_000,
    renderLimit: 10_000,
    memoryLimit: 64_000_000,
  });
  engine.registerFilter('raw', () => {
    throw new Error('The raw filter is disabled: provisioning templates quote every value');
  });
  if (mode === 'mysql' || mode === 'postgresql') {
    // Marks a value as an identifier; the output escape still quotes it (as an identifier instead of a literal).
    engine.registerFilter('ident', (value: unknown) => new SqlIdentifier(textValue(value)));
  }
  for (const [name, filter] of Object.entries(engine.filters)) {
    if (typeof filter === 'object' && filter !== null && 'raw' in filter && filter.raw) {
      throw new Error(`Filter ${name} would bypass output escaping`);
    }
  }
  return engine;
}
