import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Actor } from '../../../shared/src/core/actor';
import { LOCALES } from '../../../shared/src/core/schemas';
import { defineServiceType } from '../../../shared/src/services/define-service-type';
import { describeForm, permissionsFor, specJsonSchema, staffPermissions } from '../../../shared/src/services/forms';
import { serviceType, serviceTypes, type AnyServiceType } from '../../../shared/src/services/registry';
import type { TranslatedLocale } from '../../../shared/src/services/ui';
import { initialValues, parseSubmission } from '../../../web/src/lib/service-form';

// The form generator: every registered type yields a form from its schema, hints name real fields, customer
// permissions stay inside the schema, and a submission parsed back is what the type's own schema accepts.

const customer: Actor = { type: 'customer', tenantId: 'ten_1', userId: 'usr_1', accountId: 'acc_1' };
const accountant: Actor = { type: 'staff', tenantId: 'ten_1', userId: 'usr_2', role: 'accountant' };
const types = serviceTypes as readonly AnyServiceType[];

/** A type with nothing but its schema: no hints, no translations. */
const bare = defineServiceType({
  kind: 'bare',
  label: 'Bare',
  spec: z.strictObject({
    name: z.string().min(1),
    size: z.number().int().min(1).max(10).default(3),
    tags: z.array(z.string()).default([]),
    colour: z.enum(['red', 'blue']).optional(),
    active: z.boolean().default(true),
    options: z.object({ a: z.string() }).optional(),
    startsOn: z.iso.date().optional(),
  }),
  identity: (s) => s.name,
  metrics: {},
  backends: [],
}) as unknown as AnyServiceType;

/** A FormData-like getter over plain values. */
const getter = (values: Record<string, string | string[]>) => (name: string) => {
  const v = values[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

describe('describeForm', () => {
  it.each(types.map((t) => [t.kind, t] as const))('%s produces a staff form with every schema field but hidden ones', (_kind, type) => {
    const properties = Object.keys(specJsonSchema(type).properties ?? {});
    const form = describeForm(type);
    expect(form.kind).toBe(type.kind);
    expect(form.fields.length).toBeGreaterThan(0);
    const hidden = Object.entries(type.ui?.fields ?? {})
      .filter(([, h]) => h.hidden)
      .map(([n]) => n);
    expect(form.fields.map((f) => f.name).sort()).toEqual(properties.filter((p) => !hidden.includes(p)).sort());
    for (const field of form.fields) {
      expect(field.label).toBeTruthy();
      if (field.widget === 'select' && !field.ref) expect(field.options?.length).toBeGreaterThan(0);
    }
  });

  it.each(types.map((t) => [t.kind, t] as const))('%s: hints, identity and customer permissions name real fields', (_kind, type) => {
    const properties = new Set(Object.keys(specJsonSchema(type).properties ?? {}));
    for (const name of [
      ...Object.keys(type.ui?.fields ?? {}),
      ...(type.ui?.order ?? []),
      ...(type.ui?.identity ?? []),
      ...(type.customer?.fields ?? []),
    ]) {
      expect(properties, `${type.kind}.${name}`).toContain(name);
    }
    for (const [field, hint] of Object.entries(type.ui?.fields ?? {})) {
      if (hint.ref) expect(serviceType(hint.ref.kind), `${type.kind}.${field} → ${hint.ref.kind}`).toBeDefined();
      for (const theirs of Object.keys(hint.ref?.same ?? {})) {
        expect(Object.keys(specJsonSchema(serviceType(hint.ref!.kind)!).properties ?? {})).toContain(theirs);
      }
    }
    // A capped field must be one customers may set, or the cap could never apply.
    for (const field of Object.keys(type.customer?.caps ?? {})) expect(type.customer?.fields).toContain(field);
    // A type customers may create lets them set every field its name is made of.
    if (type.customer?.create) for (const id of type.ui?.identity ?? []) expect(type.customer.fields).toContain(id);
  });

  it('gives a type without hints a working form from the schema alone', () => {
    const form = describeForm(bare);
    const byName = Object.fromEntries(form.fields.map((f) => [f.name, f]));
    expect(byName.name).toMatchObject({ widget: 'text', required: true, label: 'Name' });
    expect(byName.size).toMatchObject({ widget: 'number', value: 'number', required: false, default: 3, min: 1, max: 10 });
    expect(byName.tags).toMatchObject({ widget: 'list', value: 'strings' });
    expect(byName.colour).toMatchObject({
      widget: 'select',
      options: [
        { value: 'red', label: 'red' },
        { value: 'blue', label: 'blue' },
      ],
    });
    expect(byName.active).toMatchObject({ widget: 'checkbox', value: 'boolean', default: true });
    expect(byName.options).toMatchObject({ widget: 'json', value: 'json' });
    expect(byName.startsOn).toMatchObject({ widget: 'date' });
    expect(byName.startsOn!.label).toBe('Starts on');

    const parsed = parseSubmission(
      form.fields,
      getter({ 'spec.name': 'x', 'spec.size': '7', 'spec.tags': 'a\n\n b \n', 'spec.options': '{"a":"b"}' }),
    );
    expect(parsed.errors).toEqual({});
    expect(bare.spec.parse(parsed.spec)).toEqual({ name: 'x', size: 7, tags: ['a', 'b'], active: false, options: { a: 'b' } });
  });

  it('shows customers only the fields they may set, and nothing of staff-only kinds', () => {
    const mailbox = serviceType('mailbox')!;
    const form = describeForm(mailbox, permissionsFor(customer, mailbox));
    expect(form.fields.map((f) => f.name)).toEqual(['name', 'domain', 'password', 'quotaMb']);
    expect(form.fields.find((f) => f.name === 'password')).toMatchObject({ widget: 'password', secret: true });
    expect(form.fields.find((f) => f.name === 'domain')).toMatchObject({ widget: 'select', ref: { kind: 'domain' } });
    expect(permissionsFor(customer, serviceType('website')!)).toMatchObject({ create: false, change: false, delete: false, fields: [] });
    expect(describeForm(serviceType('website')!, permissionsFor(customer, serviceType('website')!)).fields).toEqual([]);
    expect(permissionsFor(customer, serviceType('domain')!)).toMatchObject({ create: false, change: true, fields: ['records'] });
    // Staff without services:write read everything, change nothing.
    expect(permissionsFor(accountant, mailbox)).toMatchObject({ create: false, change: false, delete: false });
    expect(permissionsFor(accountant, mailbox).fields).toEqual(staffPermissions(mailbox).fields);
  });
});

// Every language of the portals but English, which the hints are written in.
const TRANSLATED = LOCALES.filter((l): l is TranslatedLocale => l !== 'en');

// Texts a translation may leave as they are: technical words, and words Catalan spells like English.
const SAME_IN_TRANSLATION = new Set(['TTL', 'PHP', 'SPF', 'Protocol']);

/** A text with at least one word (not only digits, symbols or one letter) needs translating. */
const hasWords = (text: string) => /\p{L}{2,}/u.test(text);

/**
 * Every English text a type's forms show, with where its translation belongs: the type's label and each visible
 * field's label (declared or humanised), help and placeholder. A placeholder without blanks is an example value
 * (`example.org`, `alice`, `8.2`) and reads the same in every language.
 */
function englishTexts(type: AnyServiceType) {
  const texts: { path: string; text: string; translated: (locale: TranslatedLocale) => string | undefined }[] = [];
  const of = (locale: TranslatedLocale) => type.ui?.translations?.[locale];
  texts.push({ path: 'label', text: type.label, translated: (l) => of(l)?.label });
  for (const field of describeForm(type).fields) {
    const translations = (l: TranslatedLocale) => of(l)?.fields?.[field.name];
    texts.push({ path: `${field.name}.label`, text: field.label, translated: (l) => translations(l)?.label });
    if (field.help) texts.push({ path: `${field.name}.help`, text: field.help, translated: (l) => translations(l)?.help });
    if (field.placeholder && /\s/.test(field.placeholder)) {
      texts.push({ path: `${field.name}.placeholder`, text: field.placeholder, translated: (l) => translations(l)?.placeholder });
    }
  }
  return texts.filter((t) => hasWords(t.text));
}

describe('describeForm translations', () => {
  const cases = types.flatMap((t) => TRANSLATED.map((locale) => [t.kind, locale, t] as const));

  it.each(cases)('%s has a %s translation of every text its forms show', (_kind, locale, type) => {
    const problems = englishTexts(type).flatMap(({ path, text, translated }) => {
      const translation = translated(locale);
      if (!translation?.trim()) return [`${path}: no translation of "${text}"`];
      if (translation === text && !SAME_IN_TRANSLATION.has(text)) return [`${path}: "${text}" is not translated`];
      return [];
    });
    expect(problems).toEqual([]);
  });

  it.each(cases)('%s: the %s translations name real fields, texts and enum values', (kind, locale, type) => {
    const fields = new Map(describeForm(type).fields.map((f) => [f.name, f]));
    for (const [name, texts] of Object.entries(type.ui?.translations?.[locale]?.fields ?? {})) {
      const field = fields.get(name);
      const where = `${kind}.${name} (${locale})`;
      expect(field, where).toBeDefined();
      // A translation of a text English does not have would be shown in that language only.
      if (texts.help !== undefined) expect(field!.help, `${where} help`).toBeDefined();
      if (texts.placeholder !== undefined) expect(field!.placeholder, `${where} placeholder`).toBeDefined();
      for (const value of Object.keys(texts.options ?? {})) {
        expect(
          field!.options?.map((o) => o.value),
          where,
        ).toContain(value);
        // A value with a human name in this language has one in English too (not the bare value).
        expect(type.ui?.fields?.[name]?.options?.[value], `${where} option ${value} in English`).toBeDefined();
      }
    }
  });

  it('gives the texts in the requested language, with the English ones where a translation is missing', () => {
    const mailbox = serviceType('mailbox')!;
    const es = describeForm(mailbox, permissionsFor(customer, mailbox), 'es');
    expect(es.label).toBe('Buzón');
    expect(es.fields.find((f) => f.name === 'password')).toMatchObject({ label: 'Contraseña', help: 'Al menos 10 caracteres' });
    // An example value stays as it is.
    expect(es.fields.find((f) => f.name === 'name')).toMatchObject({ label: 'Nombre (antes de la @)', placeholder: 'alice' });
    const ca = describeForm(serviceType('mailinglist')!, undefined, 'ca');
    expect(ca.fields.find((f) => f.name === 'archive')!.options).toContainEqual({ value: 'none', label: 'Sense arxiu' });
    const en = describeForm(serviceType('mailinglist')!);
    expect(en.fields.find((f) => f.name === 'archive')!.options).toContainEqual({ value: 'none', label: 'No archive' });
    // Technical enum values keep their own names.
    const engine = describeForm(serviceType('database')!, undefined, 'ca').fields.find((f) => f.name === 'engine')!;
    expect(engine.options).toEqual([
      { value: 'mysql', label: 'mysql' },
      { value: 'postgresql', label: 'postgresql' },
    ]);

    // A type without translations is English; a translated text replaces only itself.
    expect(describeForm(bare, undefined, 'es')).toEqual(describeForm(bare));
    const partly = {
      ...bare,
      ui: {
        fields: { name: { label: 'Name', help: 'Letters only' } },
        translations: { es: { fields: { name: { label: 'Nombre' }, colour: { options: { red: 'Rojo' } } } } },
      },
    } satisfies AnyServiceType;
    const form = describeForm(partly, undefined, 'es');
    expect(form.label).toBe('Bare');
    expect(form.fields.find((f) => f.name === 'name')).toMatchObject({ label: 'Nombre', help: 'Letters only' });
    expect(form.fields.find((f) => f.name === 'size')!.label).toBe('Size');
    expect(form.fields.find((f) => f.name === 'colour')!.options).toEqual([
      { value: 'red', label: 'Rojo' },
      { value: 'blue', label: 'blue' },
    ]);
  });

  it('gives English for English, no locale and any unknown locale', () => {
    for (const type of types) {
      const english = describeForm(type);
      expect(describeForm(type, undefined, 'en')).toEqual(english);
      for (const locale of ['xx', 'ES', 'es-ES', '', '__proto__', 'constructor']) {
        expect(describeForm(type, undefined, locale), `${type.kind} ${locale}`).toEqual(english);
      }
    }
    expect(describeForm(serviceType('website')!).label).toBe('Website');
  });
});

describe('parseSubmission', () => {
  it('turns a mailbox form into a spec the mailbox schema accepts (password hashed, quota a number)', () => {
    const mailbox = serviceType('mailbox')!;
    const form = describeForm(mailbox);
    const parsed = parseSubmission(
      form.fields,
      getter({ 'spec.name': 'alice', 'spec.domain': 'example.org', 'spec.password': 'a-long-password', 'spec.quotaMb': '2048' }),
    );
    expect(parsed.spec).toEqual({ name: 'alice', domain: 'example.org', password: 'a-long-password', quotaMb: 2048, disabled: false });
    const spec = mailbox.spec.parse(parsed.spec);
    expect(spec).toMatchObject({ quotaMb: 2048, disabled: false });
    expect(spec.passwordHash).toMatch(/^\{SHA512-CRYPT\}/);
    // A bad number is passed on as typed so the schema reports it at the field.
    const bad = parseSubmission(form.fields, getter({ 'spec.name': 'a', 'spec.domain': 'example.org', 'spec.quotaMb': 'lots' }));
    const result = mailbox.spec.safeParse(bad.spec);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain('quotaMb');
  });

  it('maps multi-select references with an item key to objects (database user grants)', () => {
    const user = serviceType('databaseuser')!;
    const form = describeForm(user);
    const grants = form.fields.find((f) => f.name === 'grants')!;
    expect(grants).toMatchObject({ widget: 'multi-select', ref: { kind: 'database', same: { engine: 'engine' }, itemKey: 'database' } });
    const parsed = parseSubmission(
      form.fields,
      getter({ 'spec.username': 'app', 'spec.engine': 'mysql', 'spec.password': 'secret-pass-1', 'spec.grants': ['shop', 'blog'] }),
    );
    expect(parsed.spec.grants).toEqual([{ database: 'shop' }, { database: 'blog' }]);
    expect(user.spec.parse(parsed.spec).grants).toEqual([
      { database: 'shop', privileges: 'all' },
      { database: 'blog', privileges: 'all' },
    ]);
    expect(initialValues(form, { grants: [{ database: 'shop', privileges: 'all' }] }).grants).toEqual(['shop']);
  });

  it('reports JSON that does not parse at its field, and never refills secrets', () => {
    const website = serviceType('website')!;
    const form = describeForm(website);
    const parsed = parseSubmission(form.fields, getter({ 'spec.options': '{nope' }));
    expect(parsed.errors).toEqual({ 'spec.options': ['This is not valid JSON'] });
    const mailbox = describeForm(serviceType('mailbox')!);
    const values = initialValues(mailbox, { name: 'a', domain: 'example.org', password: 'x', passwordHash: 'h', quotaMb: 5 });
    expect(values).toEqual({ name: 'a', domain: 'example.org', quotaMb: '5' });
  });
});
