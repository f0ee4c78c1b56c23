import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Actor } from '../../../shared/src/core/actor';
import { defineServiceType } from '../../../shared/src/services/define-service-type';
import { describeForm, permissionsFor, specJsonSchema, staffPermissions } from '../../../shared/src/services/forms';
import { serviceType, serviceTypes, type AnyServiceType } from '../../../shared/src/services/registry';
import { initialValues, parseSubmission } from '../../../web/src/lib/service-form';

// The form generator: every registered type yields a form from its schema, hints name real fields, customer
// permissions stay inside the schema, and a submission parsed back is what the type's own schema accepts.

const customer: Actor = { type: 'customer', tenantId: 'ten_1', userId: 'usr_1', accountId: 'acc_1' };
const accountant: Actor = { type: 'staff', tenantId: 'ten_1', userId: 'usr_2', role: 'accountant' };
const types = serviceTypes as readonly AnyServiceType[];

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
