import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// Mandates from the member portal's side, over the API against DynamoDB Local: a customer signs a SEPA mandate online
// for their own account (signed today in the tenant's zone, channel online, the browser's evidence kept, reference
// generated), a bad IBAN or an unaccepted text saves nothing, they choose the default source and revoke (the mandate
// stays on record, its source goes); another account's mandates and sources answer 404 to every verb. Staff see the
// online signature and still record paper mandates with their own date.

let stack: LocalStack;
let staff: ApiClient;
let customer: ApiClient;
let own = '';
let other = '';
let otherMandate = '';
let slug = '';

const TODAY_MADRID = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

async function newAccount(name: string) {
  const res = await staff.post('/v1/accounts', { name, email: `${name.toLowerCase().replace(/\W/g, '')}@example.org`, country: 'ES' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function signInCustomer(accountId: string, email: string): Promise<ApiClient> {
  const user = await staff.post('/v1/users', { name: 'Member', email, role: 'customer', password: 'long-enough-password', accountId });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const session = await apiClient(stack.apiUrl).post('/v1/auth/sessions', { organisation: slug, email, password: 'long-enough-password' });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return apiClient(stack.apiUrl, session.body.token);
}

beforeAll(async () => {
  stack = await startTestStack();
  const tenant = await signupTenant(stack.apiUrl, 'Mandates');
  staff = tenant.client;
  slug = tenant.tenant.slug;
  own = await newAccount('Own Member');
  other = await newAccount('Other Member');
  const m = await staff.post(`/v1/accounts/${other}/mandates`, {
    signedOn: '2026-01-10',
    debtor: { name: 'Other Member', iban: 'DE89370400440532013000' },
  });
  expect(m.status, JSON.stringify(m.body)).toBe(201);
  otherMandate = m.body.id;
  customer = await signInCustomer(own, `own-${tenant.tenant.id.slice(-6)}@example.org`);
});

afterAll(async () => {
  await stack?.stop();
});

describe('a customer’s own mandates', () => {
  it('cannot sign before the tenant offers direct debit; the list says there is no creditor yet', async () => {
    const list = await customer.get(`/v1/accounts/${own}/mandates`);
    expect(list.body).toEqual({ items: [], creditor: null });
    const res = await customer.post(`/v1/accounts/${own}/mandates`, {
      debtor: { name: 'Own Member', iban: 'ES9121000418450200051332' },
      accepted: true,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toBe('Direct debit is not offered yet');
    const settings = await staff.post('/v1/payments/sepa/settings', {
      creditorId: 'ES37000G12345674',
      creditorName: 'Mandates Hosting SL',
      iban: 'ES9121000418450200051332',
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect((await customer.get(`/v1/accounts/${own}/mandates`)).body.creditor).toEqual({
      name: 'Mandates Hosting SL',
      id: 'ES37000G12345674',
    });
  });

  it('a bad IBAN or an unaccepted text is refused on its field and saves nothing', async () => {
    const badIban = await customer.post(`/v1/accounts/${own}/mandates`, {
      debtor: { name: 'Own Member', iban: 'ES9121000418450200051333' },
      accepted: true,
    });
    expect(badIban.status).toBe(422);
    const details = badIban.body.error.details as { path: string[]; message: string }[];
    expect(details.map((d) => d.path.join('.'))).toEqual(details.map(() => 'debtor.iban'));
    expect(details.map((d) => d.message)).toContain('The IBAN check digits are wrong (mistyped?)');
    const unaccepted = await customer.post(`/v1/accounts/${own}/mandates`, {
      debtor: { name: 'Own Member', iban: 'ES9121000418450200051332' },
    });
    expect(unaccepted.status).toBe(422);
    expect(unaccepted.body.error.details).toMatchObject([{ path: ['accepted'], message: 'Accept the mandate text to sign it' }]);
    // A customer cannot choose the date, scheme or reference.
    const backdated = await customer.post(`/v1/accounts/${own}/mandates`, {
      debtor: { name: 'Own Member', iban: 'ES9121000418450200051332' },
      accepted: true,
      signedOn: '2020-01-01',
      reference: 'MINE-1',
    });
    expect(backdated.status).toBe(422);
    expect((await customer.get(`/v1/accounts/${own}/mandates`)).body.items).toEqual([]);
    expect((await customer.get(`/v1/accounts/${own}/payment-sources`)).body.items).toEqual([]);
  });

  it('signs online: today in the tenant zone, generated reference, evidence kept, the default SEPA source', async () => {
    const res = await customer.post(`/v1/accounts/${own}/mandates`, {
      debtor: { name: 'Own Member', iban: 'es91 2100 0418 4502 0005 1332' },
      accepted: true,
      signature: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test browser)' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      accountId: own,
      signedOn: TODAY_MADRID(),
      scheme: 'CORE',
      kind: 'recurrent',
      status: 'active',
      effectiveStatus: 'active',
      collections: 0,
      debtor: { name: 'Own Member', iban: 'ES9121000418450200051332' },
      signature: { channel: 'online', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test browser)' },
    });
    expect(res.body.reference).toMatch(/^M[0-9A-Z]+$/);
    expect(Date.parse(res.body.signature.acceptedAt)).not.toBeNaN();
    const sources = (await customer.get(`/v1/accounts/${own}/payment-sources`)).body.items;
    expect(sources).toMatchObject([{ method: 'sepa_debit', isDefault: true, mandateId: res.body.id, label: 'SEPA ES91 ·· 1332' }]);
    // Staff see the same signature on the account.
    const seen = await staff.get(`/v1/accounts/${own}/mandates/${res.body.id}`);
    expect(seen.body.signature).toMatchObject({ channel: 'online', ip: '203.0.113.7' });
  });

  it('without the portal’s evidence the request’s own user agent is kept', async () => {
    const res = await customer.post(
      `/v1/accounts/${own}/mandates`,
      { debtor: { name: 'Own Member', iban: 'DE89370400440532013000' }, accepted: true, makeDefault: false },
      { 'user-agent': 'consort-test-agent/1' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.signature).toMatchObject({ channel: 'online', userAgent: 'consort-test-agent/1' });
    const sources = (await customer.get(`/v1/accounts/${own}/payment-sources`)).body.items;
    // The first stays the default (makeDefault: false).
    expect(sources.map((s: { label: string; isDefault: boolean }) => [s.label, s.isDefault])).toEqual([
      ['SEPA ES91 ·· 1332', true],
      ['SEPA DE89 ·· 3000', false],
    ]);
  });

  it('chooses the default, and revoking keeps the mandate but removes its source (the other becomes the default)', async () => {
    const sources = (await customer.get(`/v1/accounts/${own}/payment-sources`)).body.items as { id: string; mandateId: string }[];
    const [es, de] = sources;
    const made = await customer.post(`/v1/accounts/${own}/payment-sources/${de!.id}/default`);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body.items.map((s: { id: string; isDefault: boolean }) => [s.id, s.isDefault])).toEqual([
      [de!.id, true],
      [es!.id, false],
    ]);
    // Customers may revoke but not edit the debtor.
    const edit = await customer.patch(`/v1/accounts/${own}/mandates/${de!.mandateId}`, { debtor: { name: 'Someone Else' } });
    expect(edit.status).toBe(422);
    const revoked = await customer.delete(`/v1/accounts/${own}/mandates/${de!.mandateId}`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', effectiveStatus: 'revoked', statusReason: 'Revoked by customer' });
    const after = (await customer.get(`/v1/accounts/${own}/payment-sources`)).body.items;
    expect(after.map((s: { id: string; isDefault: boolean }) => [s.id, s.isDefault])).toEqual([[es!.id, true]]);
    const list = (await customer.get(`/v1/accounts/${own}/mandates`)).body.items;
    expect(list.map((m: { id: string; effectiveStatus: string }) => [m.id, m.effectiveStatus])).toEqual([
      [de!.mandateId, 'revoked'],
      [es!.mandateId, 'active'],
    ]);
    expect((await customer.delete(`/v1/accounts/${own}/mandates/${de!.mandateId}`)).status).toBe(409);
  });

  it('another account’s mandates and sources are not found, whatever the verb; staff data is unchanged', async () => {
    const otherSource = (await staff.get(`/v1/accounts/${other}/payment-sources`)).body.items[0].id as string;
    const attempts = [
      customer.get(`/v1/accounts/${other}/mandates`),
      customer.post(`/v1/accounts/${other}/mandates`, { debtor: { name: 'Intruder', iban: 'DE89370400440532013000' }, accepted: true }),
      customer.get(`/v1/accounts/${other}/mandates/${otherMandate}`),
      customer.patch(`/v1/accounts/${other}/mandates/${otherMandate}`, { status: 'revoked' }),
      customer.delete(`/v1/accounts/${other}/mandates/${otherMandate}`),
      // Their own account in the path with another account's mandate id.
      customer.get(`/v1/accounts/${own}/mandates/${otherMandate}`),
      customer.delete(`/v1/accounts/${own}/mandates/${otherMandate}`),
      customer.get(`/v1/accounts/${other}/payment-sources`),
      customer.post(`/v1/accounts/${other}/payment-sources/${otherSource}/default`),
      customer.delete(`/v1/accounts/${other}/payment-sources/${otherSource}`),
      customer.post(`/v1/accounts/${own}/payment-sources/${otherSource}/default`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const m = await staff.get(`/v1/accounts/${other}/mandates/${otherMandate}`);
    expect(m.body).toMatchObject({ status: 'active', version: 0, signature: { channel: 'paper' } });
    expect((await staff.get(`/v1/accounts/${other}/payment-sources`)).body.items).toMatchObject([{ id: otherSource, isDefault: true }]);
  });

  it('customers cannot change the tenant’s SEPA settings', async () => {
    expect(
      (
        await customer.post('/v1/payments/sepa/settings', {
          creditorId: 'ES37000G12345674',
          creditorName: 'X',
          iban: 'ES9121000418450200051332',
        })
      ).status,
    ).toBe(403);
  });
});
