import { z } from 'zod';
import type { Actor } from '../core/actor';
import { can } from '../core/actor';
import { LOCALES } from '../core/schemas';
import type { AnyServiceType } from './registry';
import type { CustomerPermissions, FieldHint, FieldTexts, ReferenceHint, TranslatedLocale, TypeTexts, Widget } from './ui';

/** How a submitted form value becomes a spec value (see `web/src/lib/service-form.ts`). */
export type FieldValueType = 'string' | 'number' | 'boolean' | 'strings' | 'json';

/** One generated form field: everything a portal needs to render and parse it, as plain JSON. */
export interface FormField {
  name: string;
  label: string;
  widget: Widget;
  value: FieldValueType;
  required: boolean;
  help?: string;
  placeholder?: string;
  secret: boolean;
  /** Part of the service's name: set on creation, read-only afterwards. */
  identity: boolean;
  /** Fixed choices (enums); reference choices come from the account's services (`ref`). */
  options?: { value: string; label: string }[];
  ref?: ReferenceHint;
  default?: unknown;
  min?: number;
  max?: number;
  maxLength?: number;
}

/** A generated form for one kind and one audience (customers see only the fields they may set). */
export interface FormDescription {
  kind: string;
  label: string;
  fields: FormField[];
}

/** What the caller may do with services of a kind. */
export type ServicePermissions = CustomerPermissions;

/** The parts of a JSON Schema (zod 4 `toJSONSchema`) that forms, and tests walking a kind's fields, read. */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
};

/** The JSON Schema of what a kind's spec accepts as input (zod 4 `toJSONSchema`; refinements are not expressible). */
export function specJsonSchema(type: AnyServiceType): JsonSchema & Record<string, unknown> {
  let schema = SCHEMAS.get(type.spec);
  if (!schema) {
    schema = z.toJSONSchema(type.spec, { io: 'input', unrepresentable: 'any' }) as JsonSchema & Record<string, unknown>;
    SCHEMAS.set(type.spec, schema);
  }
  return schema;
}

// Schemas are module constants: convert each once (treat the result as read-only).
const SCHEMAS = new WeakMap<object, JsonSchema & Record<string, unknown>>();

const humanise = (name: string) => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** `z.union([z.literal(''), X])` and other nullable-ish unions: the first alternative that is not a bare constant. */
function unwrap(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (!alternatives) return schema;
  const typed = alternatives.filter((a) => a.const === undefined);
  const types = new Set(typed.map((a) => a.type));
  // Several scalar types (misc's quantity: number or decimal text) are edited as text.
  if (types.size > 1) return { type: 'string', default: schema.default };
  return { ...(typed[0] ?? alternatives[0]), default: schema.default ?? typed[0]?.default };
}

function widgetFor(schema: JsonSchema, hint: FieldHint): { widget: Widget; value: FieldValueType } {
  const s = unwrap(schema);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  let widget: Widget;
  let value: FieldValueType;
  if (type === 'boolean') [widget, value] = ['checkbox', 'boolean'];
  else if (type === 'integer' || type === 'number') [widget, value] = ['number', 'number'];
  else if (type === 'array') {
    const item = s.items ? unwrap(s.items) : {};
    const scalarItems = item.type === 'string' || item.type === 'number' || item.type === 'integer';
    [widget, value] = scalarItems ? [item.enum ? 'multi-select' : 'list', 'strings'] : ['json', 'json'];
  } else if (type === 'object') [widget, value] = ['json', 'json'];
  else if (s.enum) [widget, value] = ['select', 'string'];
  else if (s.format === 'date') [widget, value] = ['date', 'string'];
  else [widget, value] = ['text', 'string'];
  if (hint.widget) {
    widget = hint.widget;
    // A list of objects picked by one property (grants by database) is submitted as the chosen names.
    if (widget === 'multi-select' || widget === 'list') value = 'strings';
  }
  return { widget, value };
}

/** Fields a caller sees: customers only those their permissions let them set. */
function visible(name: string, hint: FieldHint, permissions: ServicePermissions) {
  return !hint.hidden && permissions.fields.includes(name);
}

const TRANSLATED_LOCALES: readonly string[] = LOCALES.filter((l) => l !== 'en');

// A locale comes from a query string: only a known one may index the translations (never `__proto__` and the like).
const isTranslatedLocale = (locale: string | undefined): locale is TranslatedLocale =>
  locale !== undefined && TRANSLATED_LOCALES.includes(locale);

/** `record[key]` when the record itself has it (enum values such as `constructor` must not reach the prototype). */
const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;

/** A type's texts in `locale`; none for English, unknown locales and types without translations. */
function textsFor(type: AnyServiceType, locale: string | undefined): TypeTexts {
  return isTranslatedLocale(locale) ? (type.ui?.translations?.[locale] ?? {}) : {};
}

/**
 * Generate the form of a kind from its zod schema and UI hints. Pure: the same description is served by
 * `GET /v1/service-types` and rendered by one generic component in both portals. A type without hints still gets
 * a form (labels from field names, widgets from the schema).
 *
 * `locale` picks the type's translated texts (`ui.translations`); each text missing there, and every text for
 * English or an unknown locale, is the English hint.
 */
export function describeForm(
  type: AnyServiceType,
  permissions: ServicePermissions = staffPermissions(type),
  locale?: string,
): FormDescription {
  const schema = specJsonSchema(type);
  const properties = schema.properties ?? {};
  const hints = type.ui?.fields ?? {};
  const texts = textsFor(type, locale);
  const order = type.ui?.order ?? [];
  const names = [...order.filter((n) => n in properties), ...Object.keys(properties).filter((n) => !order.includes(n))];
  const required = new Set(schema.required ?? []);
  const fields: FormField[] = [];
  for (const name of names) {
    const hint = hints[name] ?? {};
    if (!visible(name, hint, permissions)) continue;
    const translated: FieldTexts = own(texts.fields, name) ?? {};
    const prop = properties[name]!;
    const s = unwrap(prop);
    const { widget, value } = widgetFor(prop, hint);
    const enumValues = s.enum ?? (s.type === 'array' ? s.items?.enum : undefined);
    fields.push({
      name,
      label: translated.label ?? hint.label ?? humanise(name),
      widget,
      value,
      required: required.has(name) && s.default === undefined,
      help: translated.help ?? hint.help,
      placeholder: translated.placeholder ?? hint.placeholder,
      secret: hint.secret ?? widget === 'password',
      identity: type.ui?.identity?.includes(name) ?? false,
      options: enumValues?.map((v) => ({
        value: String(v),
        label: own(translated.options, String(v)) ?? own(hint.options, String(v)) ?? String(v),
      })),
      ref: hint.ref,
      default: s.default,
      min: s.minimum,
      max: s.maximum,
      maxLength: s.maxLength,
    });
  }
  return { kind: type.kind, label: texts.label ?? type.label, fields };
}

/** Staff may set every field of every kind. */
export function staffPermissions(type: AnyServiceType): ServicePermissions {
  const fields = Object.keys(specJsonSchema(type).properties ?? {});
  return { create: true, change: true, delete: true, fields };
}

const NOTHING: ServicePermissions = { create: false, change: false, delete: false, fields: [] };

/** What an actor may do with services of a kind: staff per role, customers per the type's declared permissions. */
export function permissionsFor(actor: Actor, type: AnyServiceType): ServicePermissions {
  if (actor.type === 'customer') return type.customer ?? NOTHING;
  return can(actor, 'services:write') ? staffPermissions(type) : { ...NOTHING, fields: staffPermissions(type).fields };
}
