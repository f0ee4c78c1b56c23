import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '@consort/shared/core/clock';
import { ROUTES } from '../../../functions/src/http/routes';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// Bills over the API against DynamoDB Local: issuing and numbering (1,000 concurrent closes, year boundary), the
// lifecycle, immutability of issued bills through every route, amendments, quotes, and billing orders (idempotent
// runs, undo by deleting lines and bills). The clock is injected: 15 June 2026 (Madrid) unless a test moves it.

const clock = fixedClock('2026-06-15T10:00:00Z');
let stack: LocalStack;
let owner: ApiClient;
let accountId: string;

const ISSUER = {
  legalName: 'Bills Hosting SL',
  taxId: 'B12345678',
  addressLines: ['C/ Major 1', '08001 Barcelona'],
  email: 'bills@example.org',
};

async function staffKey(client: ApiClient) {
  const key = await client.post('/v1/api-keys', { name: 'bills tests', role: 'owner' });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return apiClient(stack.apiUrl, key.body.secret);
}

async function newAccount(client: ApiClient, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/v1/accounts', {
    name: 'Maria Puig',
    email: `maria-${Math.random().toString(36).slice(2, 8)}@example.org`,
    country: 'ES',
    address: 'C/ Nou 5',
    city: 'Girona',
    postcode: '17001',
    ...overrides,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function openBill(client: ApiClient, body: Record<string, unknown> = {}) {
  const res = await client.post('/v1/bills', { accountId, lines: [{ description: 'Hosting', unitPrice: '10.00' }], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function closed(client: ApiClient, body: Record<string, unknown> = {}) {
  const bill = await openBill(client, body);
  const res = await client.post(`/v1/bills/${bill.id}/close`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Every number of a series, through the export (number order). */
async function seriesNumbers(client: ApiClient, type: string, year: number): Promise<string[]> {
  const numbers: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await client.get(`/v1/bills/export?year=${year}&type=${type}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    numbers.push(...res.body.items.map((r: { number: string }) => r.number));
    cursor = res.body.nextCursor;
  } while (cursor);
  return numbers;
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const content = (b: any) =>
  JSON.stringify([b.lines, b.totals, b.number, b.sequence, b.issuedOn, b.dueOn, b.renderModel, b.accountId, b.type, b.amends]);

beforeAll(async () => {
  stack = await startTestStack({ clock });
  owner = await staffKey((await signupTenant(stack.apiUrl, 'Bills')).client);
  accountId = await newAccount(owner);
});

afterAll(async () => {
  await stack?.stop();
});

describe('issuing', () => {
  it('refuses to issue until the legally required fields exist, naming each one (422)', async () => {
    const bill = await openBill(owner);
    const res = await owner.post(`/v1/bills/${bill.id}/close`);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toEqual([
      'settings.issuer.legalName',
      'settings.issuer.taxId',
      'settings.issuer.addressLines',
    ]);
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.state).toBe('open');
  });

  it('validates bill settings and inputs with 422s that name the field', async () => {
    const bad = await owner.patch('/v1/billing/settings', { series: { invoice: { prefix: 'bad prefix!', digits: 0 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: (string | number)[] }) => d.path.join('.')).sort()).toEqual([
      'series.invoice.digits',
      'series.invoice.prefix',
    ]);
    const settings = await owner.patch('/v1/billing/settings', { issuer: ISSUER });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body.issuer).toMatchObject(ISSUER);
    expect(settings.body.series.invoice).toEqual({ prefix: 'I', digits: 4, dueDays: 30 });

    const float = await owner.post('/v1/bills', { accountId, lines: [{ description: 'x', unitPrice: 10.5 }] });
    expect(float.status).toBe(422);
    expect(float.body.error.details[0].path).toEqual(['lines', 0, 'unitPrice']);
    const noAccount = await owner.post('/v1/bills', { accountId: 'acc_nope' });
    expect(noAccount.status).toBe(422);
    expect(noAccount.body.error.details[0].path).toEqual(['accountId']);
    const amendment = await owner.post('/v1/bills', { accountId, type: 'amendment' });
    expect(amendment.status).toBe(422);
  });

  it('numbers, dates and freezes a bill when it closes, with tax per rate', async () => {
    const bill = await openBill(owner, {
      lines: [
        { description: 'Web hosting', quantity: '3', unitPrice: '0.05' },
        { description: 'Domain', unitPrice: '12.00', taxCategory: 'reduced' },
        { description: 'Another 5 cents', quantity: '7', unitPrice: '0.05' },
      ],
    });
    expect(bill).toMatchObject({ state: 'open', actions: ['close', 'edit-lines', 'merge', 'delete'] });
    expect(bill.number).toBeUndefined();
    const res = await owner.post(`/v1/bills/${bill.id}/close`, { reason: 'June' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const issued = res.body;
    expect(issued).toMatchObject({ state: 'closed', issuedOn: '2026-06-15', dueOn: '2026-07-15', fiscalYear: 2026, series: 'I2026' });
    expect(issued.number).toMatch(/^I2026-\d{4}$/);
    // 10 × 0.05 at 21%: 0.50 × 0.21 = 0.105 → 0.11 on the summed base (per line it would be 0.10).
    expect(issued.totals).toMatchObject({ base: '12.50', tax: '1.31', total: '13.81' });
    expect(issued.renderModel.taxes).toEqual([
      { rate: '21', base: '0.50', amount: '0.11', category: 'S' },
      { rate: '10', base: '12.00', amount: '1.20', category: 'S' },
    ]);
    expect(issued.renderModel.document).toMatchObject({ type: 'invoice', number: issued.number, issueDate: '2026-06-15' });
    expect(issued.renderModel.tenant).toMatchObject({ legalName: ISSUER.legalName, taxId: ISSUER.taxId });
    expect(issued.audit.map((a: any) => [a.action, a.from, a.to, a.reason])).toEqual([
      ['create', null, 'open', undefined],
      ['close', 'open', 'closed', 'June'],
    ]);
    expect((await owner.get(`/v1/bills?number=${issued.number}`)).body.items.map((b: { id: string }) => b.id)).toEqual([bill.id]);
  });

  it('reverse-charges an EU business and states it on the document', async () => {
    const eu = await newAccount(owner, { name: 'Berlin GmbH', country: 'DE', vatId: 'DE123456789', type: 'company' });
    const bill = await closed(owner, { accountId: eu });
    expect(bill.totals).toMatchObject({ base: '10.00', tax: '0.00', total: '10.00' });
    expect(bill.renderModel.taxes).toEqual([{ rate: '0', base: '10.00', amount: '0.00', category: 'AE' }]);
    expect(bill.renderModel.legalMentions[0]).toContain('sujeto pasivo');
    const business = await newAccount(owner, { name: 'Sense NIF SL', type: 'company' });
    const missing = await owner.post(`/v1/bills/${(await openBill(owner, { accountId: business })).id}/close`);
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toEqual(['account.vatId']);
  });
});

describe('lifecycle', () => {
  it('moves through send, paid, returned, resend, discard and undo, auditing each step', async () => {
    const bill = await closed(owner);
    const sent = await owner.post(`/v1/bills/${bill.id}/send`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ state: 'sent', sentTo: [expect.stringMatching(/^maria-/)] });
    // The e-mail, with the PDF rendered from the frozen document, is in the local maildir; the bill keeps its hash.
    expect(sent.body.pdf).toMatchObject({
      key: expect.stringContaining(`/bills/2026/invoice/${bill.number}.pdf`),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(sent.body.audit.at(-1).reason).toMatch(/^e-mail /);
    const mails = readdirSync(join(stack.dataDir, 'mail', 'new')).map((f) => readFileSync(join(stack.dataDir, 'mail', 'new', f), 'utf8'));
    const mail = mails.find((m) => m.includes(bill.number));
    expect(mail).toBeDefined();
    expect(mail).toContain(sent.body.sentTo[0]);
    expect(mail).toMatch(/application\/pdf/);
    expect((await owner.post(`/v1/bills/${bill.id}/mark-paid`)).body.state).toBe('paid');
    expect((await owner.post(`/v1/bills/${bill.id}/mark-returned`, { reason: 'R-transaction AM04' })).body.state).toBe('returned');
    expect((await owner.post(`/v1/bills/${bill.id}/send`)).body.state).toBe('sent');
    const noReason = await owner.post(`/v1/bills/${bill.id}/mark-irrecoverable`);
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.details[0].path).toEqual(['reason']);
    expect((await owner.post(`/v1/bills/${bill.id}/mark-returned`)).body.state).toBe('returned');
    const discarded = await owner.post(`/v1/bills/${bill.id}/discard`, { reason: 'Customer never existed' });
    expect(discarded.body).toMatchObject({ state: 'discarded', actions: ['undo-discard'], number: bill.number });
    const refused = await owner.post(`/v1/bills/${bill.id}/mark-paid`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual({ state: 'discarded', allowed: ['undo-discard'] });
    const back = await owner.post(`/v1/bills/${bill.id}/undo-discard`);
    expect(back.body.state).toBe('closed');
    expect(back.body.audit.map((a: any) => `${a.action}:${a.from}→${a.to}`)).toEqual([
      'create:null→open',
      'close:open→closed',
      'send:closed→sent',
      'mark-paid:sent→paid',
      'mark-returned:paid→returned',
      'send:returned→sent',
      'mark-returned:sent→returned',
      'discard:returned→discarded',
      'undo-discard:discarded→closed',
    ]);
    expect(back.body.audit.every((a: any) => a.actor.startsWith('apikey:key_') && a.at)).toBe(true);
  });

  it('lists by state, type, account, date and overdue', async () => {
    const other = await newAccount(owner);
    const bill = await closed(owner, { accountId: other });
    const draft = await openBill(owner, { accountId: other });
    const ids = (res: any) => res.body.items.map((b: { id: string }) => b.id);
    expect(ids(await owner.get(`/v1/bills?accountId=${other}`))).toEqual([draft.id, bill.id]);
    expect(ids(await owner.get(`/v1/bills?accountId=${other}&state=open`))).toEqual([draft.id]);
    expect(ids(await owner.get('/v1/bills?state=closed&from=2026-06-15&to=2026-06-15&limit=200'))).toContain(bill.id);
    expect(ids(await owner.get('/v1/bills?state=closed&from=2026-06-16'))).toEqual([]);
    expect(ids(await owner.get('/v1/bills?type=quote'))).not.toContain(bill.id);
    expect(ids(await owner.get('/v1/bills?overdue=true'))).toEqual([]);
    clock.set('2026-07-16T10:00:00Z');
    try {
      expect(ids(await owner.get(`/v1/bills?overdue=true&accountId=${other}`))).toEqual([bill.id]);
      await owner.post(`/v1/bills/${bill.id}/mark-paid`);
      expect(ids(await owner.get(`/v1/bills?overdue=true&accountId=${other}`))).toEqual([]);
    } finally {
      clock.set('2026-06-15T10:00:00Z');
    }
    const summary = (await owner.get(`/v1/bills?accountId=${other}`)).body.items[1];
    expect(summary).toMatchObject({ id: bill.id, lineCount: 1, totals: { total: '12.10' } });
    expect(summary.lines).toBeUndefined();
  });

  it('shows customers their issued bills only', async () => {
    const customerAccount = await newAccount(owner);
    const issued = await closed(owner, { accountId: customerAccount });
    const draft = await openBill(owner, { accountId: customerAccount });
    const user = await owner.post('/v1/users', {
      name: 'Customer',
      email: `customer-${Date.now()}@example.org`,
      role: 'customer',
      password: 'long-enough-password',
      accountId: customerAccount,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const session = await apiClient(stack.apiUrl).post('/v1/auth/sessions', {
      organisation: (await owner.get('/v1/tenant')).body.slug,
      email: user.body.email,
      password: 'long-enough-password',
    });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const customer = apiClient(stack.apiUrl, session.body.token);
    expect((await customer.get('/v1/bills')).body.items.map((b: { id: string }) => b.id)).toEqual([issued.id]);
    expect((await customer.get(`/v1/bills/${issued.id}`)).status).toBe(200);
    expect((await customer.get(`/v1/bills/${draft.id}`)).status).toBe(404);
    expect((await customer.post(`/v1/bills/${issued.id}/mark-paid`)).status).toBe(403);
  });
});

describe('documents', () => {
  it('downloads the stored PDF of an issued bill, regenerates it identically, and prints drafts without storing them', async () => {
    const bill = await closed(owner);
    const pdf = await owner.get(`/v1/bills/${bill.id}/pdf`);
    expect(pdf.status, JSON.stringify(pdf.body).slice(0, 300)).toBe(200);
    expect(pdf.body).toMatchObject({ contentType: 'application/pdf', isDraft: false, filename: expect.stringContaining(bill.number) });
    expect(Buffer.from(pdf.body.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.pdf).toMatchObject({ sha256: pdf.body.sha256 });
    const again = await owner.post(`/v1/bills/${bill.id}/regenerate-pdf`);
    expect(again.body).toMatchObject({ status: 'verified', sha256: pdf.body.sha256 });

    const draft = await openBill(owner);
    const preview = await owner.get(`/v1/bills/${draft.id}/pdf`);
    expect(preview.body).toMatchObject({ isDraft: true });
    expect((await owner.get(`/v1/bills/${draft.id}`)).body.pdf).toBeUndefined();
    expect((await owner.post(`/v1/bills/${draft.id}/regenerate-pdf`)).status).toBe(409);
  });
});

describe('issued bills are immutable', () => {
  it('refuses every content change through every route (409) and never alters the issued content', async () => {
    const bill = await closed(owner, {
      lines: [
        { description: 'Hosting', unitPrice: '10.00' },
        { description: 'Backup', unitPrice: '2.00' },
      ],
    });
    const draft = await openBill(owner);
    const before = content(bill);
    // Lifecycle and payment actions may move the state or record payments; everything else must be refused with 409.
    const lifecycle = new Set([
      'pay',
      'charge',
      'send',
      'mark-paid',
      'mark-returned',
      'mark-irrecoverable',
      'discard',
      'undo-discard',
      'amend',
      'convert',
      'regenerate-pdf',
    ]);
    const bodies: Record<string, unknown> = {
      lines: { description: 'Sneaked in', unitPrice: '99.00' },
      move: { toBillId: draft.id },
      amend: { cause: 'Wrong price' },
      discard: { reason: 'test' },
      'mark-irrecoverable': { reason: 'test' },
      pay: { successUrl: 'https://example.org/paid', cancelUrl: 'https://example.org/cancelled' },
    };
    const routes = ROUTES.filter((r) => r.path.startsWith('/v1/bills/{billId}') && r.method !== 'GET');
    expect(routes.length).toBeGreaterThanOrEqual(13);
    const tried: string[] = [];
    for (const r of routes) {
      const path = r.path.replace('{billId}', bill.id).replace('{lineId}', bill.lines[0].id);
      const last = r.path.split('/').pop()!;
      const res = await owner.request(r.method, path, r.method === 'DELETE' ? undefined : (bodies[last] ?? {}));
      tried.push(`${r.method} ${r.path} → ${res.status}`);
      if (!lifecycle.has(last)) expect(res.status, `${r.method} ${r.path}: ${JSON.stringify(res.body)}`).toBe(409);
      expect(content((await owner.get(`/v1/bills/${bill.id}`)).body), `${r.method} ${r.path}`).toBe(before);
    }
    expect(tried.filter((t) => t.endsWith('409')).length).toBeGreaterThanOrEqual(5);
    expect((await owner.post('/v1/bills/merge', { billIds: [bill.id, draft.id] })).status).toBe(409);
    await owner.post('/v1/billing/run', { accountIds: [accountId] });
    const after = (await owner.get(`/v1/bills/${bill.id}`)).body;
    expect(content(after)).toBe(before);
    expect((await owner.get(`/v1/bills/${draft.id}`)).body.lines).toHaveLength(1);
  });

  it('never burns or reuses a number when an issue write loses (store level)', async () => {
    const store = stack.deps.store;
    const tenantId = (await owner.get('/v1/tenant')).body.id;
    const model = (await closed(owner)).renderModel;
    const [a, b] = [await openBill(owner), await openBill(owner)];
    const asIssued = async (id: string, sequence: number) => {
      const bill = (await store.bills.get(tenantId, id))!;
      return { ...bill, state: 'closed' as const, sequence, number: `I2026-${sequence}`, version: bill.version + 1, renderModel: model };
    };
    // Another close takes the next number between reading the counter and writing: refused, nothing written.
    const last = await store.bills.lastSequence(tenantId, 'invoice', 2026);
    await closed(owner);
    expect(await store.bills.issue(await asIssued(a.id, last + 1), 0, { type: 'invoice', year: 2026, expectedLast: last })).toBe(
      'series-moved',
    );
    expect((await store.bills.get(tenantId, a.id))!.state).toBe('open');
    // The bill changed meanwhile: a conflict, and the number it would have taken stays free.
    await owner.post(`/v1/bills/${b.id}/lines`, { description: 'Changed', unitPrice: '1.00' });
    const current = await store.bills.lastSequence(tenantId, 'invoice', 2026);
    await expect(
      store.bills.issue(await asIssued(b.id, current + 1), 0, { type: 'invoice', year: 2026, expectedLast: current }),
    ).rejects.toThrow(/changed meanwhile/);
    expect(await store.bills.lastSequence(tenantId, 'invoice', 2026)).toBe(current);
    expect(await store.bills.findByNumber(tenantId, 'invoice', 2026, current + 1)).toBeUndefined();
    // The API then issues both with the next numbers, no gap.
    for (const id of [a.id, b.id]) expect((await owner.post(`/v1/bills/${id}/close`)).status).toBe(200);
    const numbers = await seriesNumbers(owner, 'invoice', 2026);
    expect(numbers).toEqual(numbers.map((_, i) => `I2026-${String(i + 1).padStart(4, '0')}`));
  });
});

describe('amendments', () => {
  it('amend the whole amount by differences, referencing the original; own series; original untouched', async () => {
    const original = await closed(owner, { lines: [{ description: 'Hosting', unitPrice: '100.00' }] });
    const res = await owner.post(`/v1/bills/${original.id}/amend`, { cause: 'Service never delivered' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const amendment = res.body;
    expect(amendment).toMatchObject({
      type: 'amendment',
      state: 'open',
      amends: {
        billId: original.id,
        number: original.number,
        issuedOn: '2026-06-15',
        cause: 'Service never delivered',
        mode: 'differences',
        original: { base: '100.00', tax: '21.00', total: '121.00' },
      },
      totals: { base: '-100.00', tax: '-21.00', total: '-121.00' },
    });
    expect(amendment.lines[0]).toMatchObject({ kind: 'amendment', amendsLineId: original.lines[0].id, total: '-100.00' });
    const issued = (await owner.post(`/v1/bills/${amendment.id}/close`)).body;
    expect(issued.number).toMatch(/^A2026-\d{4}$/);
    expect(issued.renderModel.amends).toEqual({
      number: original.number,
      date: '2026-06-15',
      cause: 'Service never delivered',
      mode: 'differences',
    });
    const after = (await owner.get(`/v1/bills/${original.id}`)).body;
    expect(content(after)).toBe(content(original));
    expect(after.audit.at(-1)).toMatchObject({
      action: 'amend',
      from: 'closed',
      to: 'closed',
      reason: expect.stringContaining(amendment.id),
    });
    expect((await owner.post(`/v1/bills/${issued.id}/amend`, { cause: 'Again' })).status).toBe(409);
    expect((await owner.post(`/v1/bills/${amendment.id}/amend`, { cause: 'Open' })).status).toBe(409);
  });

  it('amend chosen lines by substitution; fees get fee amendments; bad lines are 422', async () => {
    const original = await closed(owner, {
      lines: [
        { description: 'Hosting', unitPrice: '100.00' },
        { description: 'Domain', unitPrice: '10.00', taxCategory: 'reduced' },
      ],
    });
    const bad = await owner.post(`/v1/bills/${original.id}/amend`, { cause: 'x', lines: [{ lineId: 'bln_nope', total: '1' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toEqual(['lines', 0, 'lineId']);
    const res = await owner.post(`/v1/bills/${original.id}/amend`, {
      cause: 'Agreed discount',
      mode: 'substitution',
      lines: [{ lineId: original.lines[0].id, total: '80.00' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.lines.map((l: any) => [l.amendsLineId, l.total, l.tax.rate])).toEqual([
      [original.lines[0].id, '80.00', '21'],
      [original.lines[1].id, '10.00', '10'],
    ]);
    const fee = await closed(owner, { type: 'fee', lines: [{ description: 'Membership 2026', unitPrice: '30.00' }] });
    expect(fee.number).toMatch(/^F2026-\d{4}$/);
    expect(fee.totals).toMatchObject({ base: '30.00', tax: '0.00', total: '30.00' });
    const feeAmendment = await owner.post(`/v1/bills/${fee.id}/amend`, { cause: 'Reduced fee' });
    expect(feeAmendment.body).toMatchObject({ type: 'fee-amendment', amends: { number: fee.number } });
    expect((await owner.post(`/v1/bills/${feeAmendment.body.id}/close`)).body.number).toMatch(/^B2026-\d{4}$/);
  });
});

describe('quotes', () => {
  it('never consume a number, and convert into an invoice that links back', async () => {
    const before = await seriesNumbers(owner, 'invoice', 2026);
    const quote = await closed(owner, { type: 'quote', lines: [{ description: 'Migration', unitPrice: '250.00' }] });
    expect(quote).toMatchObject({ state: 'closed', type: 'quote', dueOn: '2026-07-15' });
    expect(quote.number).toBeUndefined();
    expect(quote.renderModel.document).toMatchObject({ type: 'quote', number: null, reference: quote.id });
    expect(await seriesNumbers(owner, 'invoice', 2026)).toEqual(before);
    expect((await owner.post(`/v1/bills/${quote.id}/mark-paid`)).status).toBe(409);

    const converted = await owner.post(`/v1/bills/${quote.id}/convert`);
    expect(converted.status, JSON.stringify(converted.body)).toBe(201);
    expect(converted.body).toMatchObject({ type: 'invoice', state: 'open', quoteOf: { billId: quote.id }, totals: { total: '302.50' } });
    expect((await owner.get(`/v1/bills/${quote.id}`)).body).toMatchObject({ state: 'converted', convertedTo: converted.body.id });
    expect((await owner.post(`/v1/bills/${quote.id}/convert`)).status).toBe(409);
    const invoice = (await owner.post(`/v1/bills/${converted.body.id}/close`)).body;
    const after = await seriesNumbers(owner, 'invoice', 2026);
    expect(after).toEqual([...before, invoice.number]);
  });
});

describe('open bills', () => {
  it('add, move and delete lines; merge bills of one account', async () => {
    const a = await openBill(owner);
    const b = await openBill(owner, { lines: [{ description: 'Backup', unitPrice: '5.00' }] });
    const added = await owner.post(`/v1/bills/${a.id}/lines`, { description: 'Extra', quantity: '2', unitPrice: '1.25' });
    expect(added.status).toBe(201);
    expect(added.body.totals).toMatchObject({ base: '12.50', total: '15.13' });
    const moved = await owner.post(`/v1/bills/${a.id}/lines/${added.body.lines[1].id}/move`, { toBillId: b.id });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.to.lines.map((l: any) => l.description)).toEqual(['Backup', 'Extra']);
    const removed = await owner.delete(`/v1/bills/${b.id}/lines/${b.lines[0].id}`);
    expect(removed.body.lines.map((l: any) => l.description)).toEqual(['Extra']);
    const merged = await owner.post('/v1/bills/merge', { billIds: [b.id, a.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.id).toBe(a.id < b.id ? a.id : b.id);
    expect(merged.body.lines).toHaveLength(2);
    expect((await owner.get(`/v1/bills/${a.id < b.id ? b.id : a.id}`)).status).toBe(404);
    const otherAccount = await openBill(owner, { accountId: await newAccount(owner) });
    const refused = await owner.post('/v1/bills/merge', { billIds: [merged.body.id, otherAccount.id] });
    expect(refused.status).toBe(422);
    expect((await owner.delete(`/v1/bills/${merged.body.id}`)).status).toBe(204);
  });
});

describe('billing orders', () => {
  let buyer: string;
  const orderOf = async (serviceId: string) => (await owner.get(`/v1/orders?serviceId=${serviceId}`)).body.items[0];

  beforeAll(async () => {
    buyer = await newAccount(owner, { name: 'Orders Buyer' });
    const zones = mkdtempSync(join(tmpdir(), 'consort-bills-'));
    const host = await owner.post('/v1/hosts', {
      name: 'bills-dns',
      address: '127.0.0.1',
      transport: 'local',
      config: { 'bind.zones_dir': zones, 'bind.conf_file': join(zones, 'named.conf'), 'bind.checkzone': 'true', 'bind.reload': 'true' },
    });
    await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id });
    const domains = await owner.post('/v1/billable-services', {
      name: 'Domain',
      serviceKind: 'domain',
      predicate: { field: 'name', op: 'contains', value: '.org' },
      nominalPrice: '10.00',
    });
    const fees = await owner.post('/v1/billable-services', {
      name: 'Membership',
      serviceKind: 'domain',
      predicate: { field: 'name', op: 'contains', value: 'member' },
      billingPeriod: 'annual',
      nominalPrice: '30.00',
      isFee: true,
    });
    expect([domains.status, fees.status]).toEqual([201, 201]);
  });

  async function domain(name: string): Promise<string> {
    const res = await owner.post('/v1/services', { accountId: buyer, kind: 'domain', spec: { name } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.service.id;
  }

  it('bills every due order once, fees apart; billing again bills nothing twice', async () => {
    const [one, two, member] = [await domain('one-bills.org'), await domain('two-bills.org'), await domain('member-bills.net')];
    await stack.idle();
    const first = await owner.post('/v1/billing/run', { accountIds: [buyer] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.errors).toEqual([]);
    expect(first.body.bills.map((b: any) => [b.type, b.linesAdded, b.created]).sort()).toEqual([
      ['fee', 1, true],
      ['invoice', 2, true],
    ]);
    const invoiceId = first.body.bills.find((b: any) => b.type === 'invoice').billId;
    const invoice = (await owner.get(`/v1/bills/${invoiceId}`)).body;
    // Prepaid monthly from 15 June to the 1 July billing point: 16 days ÷ 31 (July, the period end's month) = 0.52.
    expect(invoice.lines.map((l: any) => [l.periodStart, l.periodEnd, l.quantity, l.total])).toEqual([
      ['2026-06-15', '2026-07-01', '1', '5.20'],
      ['2026-06-15', '2026-07-01', '1', '5.20'],
    ]);
    expect(invoice.lines[0].explanation).toContain('10.00');
    expect(invoice.lines.every((l: any) => l.previousBilledUntil === undefined && l.orderId)).toBe(true);
    for (const id of [one, two]) expect(await orderOf(id)).toMatchObject({ billedOn: '2026-06-15', billedUntil: '2026-07-01' });
    expect((await orderOf(member)).billedUntil).toBe('2027-01-01');

    const second = await owner.post('/v1/billing/run', { accountIds: [buyer] });
    expect(second.body).toMatchObject({ bills: [], ordersBilled: 0, errors: [] });
    expect((await owner.get(`/v1/bills/${invoiceId}`)).body.lines).toHaveLength(2);
    const third = await owner.post('/v1/billing/run', { serviceIds: [one, two, member] });
    expect(third.body.ordersBilled).toBe(0);
  });

  it('removing a line restores its order, and the next run bills it again on the same open bill', async () => {
    const bills = (await owner.get(`/v1/bills?accountId=${buyer}&state=open&type=invoice`)).body.items;
    expect(bills).toHaveLength(1);
    const invoice = (await owner.get(`/v1/bills/${bills[0].id}`)).body;
    const line = invoice.lines[0];
    const removed = await owner.delete(`/v1/bills/${invoice.id}/lines/${line.id}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ removedLineIds: [line.id], restoredOrderIds: [line.orderId] });
    const order = (await owner.get(`/v1/orders/${line.orderId}`)).body;
    expect(order.billedUntil).toBeUndefined();
    expect(order.billedOn).toBeUndefined();

    const again = await owner.post('/v1/billing/run', { orderIds: [line.orderId] });
    expect(again.body.bills).toEqual([{ billId: invoice.id, type: 'invoice', linesAdded: 1, created: false }]);
    expect((await owner.get(`/v1/orders/${line.orderId}`)).body.billedUntil).toBe('2026-07-01');
  });

  it('deleting an open bill restores every order it billed; closing keeps them billed', async () => {
    const invoiceId = (await owner.get(`/v1/bills?accountId=${buyer}&state=open&type=invoice`)).body.items[0].id;
    const orderIds = (await owner.get(`/v1/bills/${invoiceId}`)).body.lines.map((l: any) => l.orderId);
    expect((await owner.delete(`/v1/bills/${invoiceId}`)).status).toBe(204);
    for (const id of orderIds) expect((await owner.get(`/v1/orders/${id}`)).body.billedUntil).toBeUndefined();
    const fee = (await owner.get(`/v1/bills?accountId=${buyer}&state=open&type=fee`)).body.items;
    expect(fee).toHaveLength(1);

    const rerun = await owner.post('/v1/billing/run', { accountIds: [buyer] });
    expect(rerun.body.bills).toEqual([{ billId: expect.not.stringMatching(invoiceId), type: 'invoice', linesAdded: 2, created: true }]);
    const newInvoice = rerun.body.bills[0].billId;
    expect((await owner.post(`/v1/bills/${newInvoice}/close`)).status).toBe(200);
    expect((await owner.delete(`/v1/bills/${newInvoice}`)).status).toBe(409);
    for (const id of orderIds) expect((await owner.get(`/v1/orders/${id}`)).body.billedUntil).toBe('2026-07-01');
    expect((await owner.post('/v1/billing/run', { accountIds: [buyer] })).body.ordersBilled).toBe(0);
    // Next month bills the next period onto a new open bill.
    clock.set('2026-07-01T10:00:00Z');
    try {
      const july = await owner.post('/v1/billing/run', { accountIds: [buyer] });
      expect(july.body.bills).toEqual([expect.objectContaining({ type: 'invoice', linesAdded: 2, created: true })]);
    } finally {
      clock.set('2026-06-15T10:00:00Z');
    }
  });

  it('rejects selections it cannot bill with 422 naming the field', async () => {
    const both = await owner.post('/v1/billing/run', { accountIds: [buyer], orderIds: ['ord_x'] });
    expect(both.status).toBe(422);
    const missing = await owner.post('/v1/billing/run', { orderIds: ['ord_missing'] });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details[0].path).toEqual(['orderIds', 0]);
    expect((await owner.post('/v1/billing/run', { billUntil: '2026-02-30' })).status).toBe(422);
  });
});

describe('numbering under load', () => {
  it('1,000 concurrent closes across 5 series give unique, gapless numbers per series', { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.info(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect((await owner.patch('/v1/billing/settings', { issuer: ISSUER })).status).toBe(200);
    const b = await signupTenant(stack.apiUrl, 'Second');
    const other = await staffKey(b.client);
    expect((await other.patch('/v1/billing/settings', { issuer: ISSUER })).status).toBe(200);
    const otherAccount = await newAccount(other);

    const create = (client: ApiClient, body: Record<string, unknown>) => async () => (await openBill(client, body)).id as string;
    const invoices = await pool(Array.from({ length: 200 }), 25, create(owner, {}));
    const fees = await pool(Array.from({ length: 200 }), 25, create(owner, { type: 'fee' }));
    const others = await pool(Array.from({ length: 200 }), 25, create(other, { accountId: otherAccount }));
    lap('600 open bills');
    const original = await closed(owner);
    const fee = await closed(owner, { type: 'fee' });
    const amend = async (id: string, cause: string) => {
      const res = await owner.post(`/v1/bills/${id}/amend`, { cause });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const amendments: string[] = [];
    const feeAmendments: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      amendments.push(await amend(original.id, `Correction ${i}`));
      feeAmendments.push(await amend(fee.id, `Fee correction ${i}`));
    }

    lap('400 amendments');
    const jobs = [
      ...invoices.map((id) => ({ client: owner, id })),
      ...fees.map((id) => ({ client: owner, id })),
      ...amendments.map((id) => ({ client: owner, id })),
      ...feeAmendments.map((id) => ({ client: owner, id })),
      ...others.map((id) => ({ client: other, id })),
    ];
    expect(jobs).toHaveLength(1000);
    const started = Date.now();
    // Fresh connections: pooled sockets left idle by the sequential phase may be closing server-side (keep-alive 5 s).
    const answers = await Promise.all(jobs.map(({ client, id }) => client.post(`/v1/bills/${id}/close`, {}, { connection: 'close' })));
    const seconds = (Date.now() - started) / 1000;
    // On a machine loaded far beyond CI's usual load a close can wait past the API's 29 s in its series' queue: it
    // answers 503 `timeout` and completes anyway, so the client looks (as the message says) instead of repeating it.
    const timedOut = answers.filter((r) => r.status === 503 && r.body.error.code === 'timeout').length;
    const results = await Promise.all(
      answers.map(async (r, i) => {
        if (r.status !== 503 || r.body.error.code !== 'timeout') return r;
        const { client, id } = jobs[i]!;
        for (let wait = 0; wait < 600; wait++) {
          const bill = await client.get(`/v1/bills/${id}`);
          if (bill.body.state !== 'open') return bill;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return r;
      }),
    );
    const failed = results.filter((r) => r.status !== 200);
    expect(failed.map((r) => `${r.status} ${JSON.stringify(r.body)}`).slice(0, 3)).toEqual([]);
    console.info(`1,000 concurrent closes in ${seconds.toFixed(1)} s (${timedOut} answered 503 timeout and completed)`);

    for (const [client, type, prefix, fresh] of [
      [owner, 'invoice', 'I', invoices],
      [owner, 'fee', 'F', fees],
      [owner, 'amendment', 'A', amendments],
      [owner, 'fee-amendment', 'B', feeAmendments],
      [other, 'invoice', 'I', others],
    ] as const) {
      const numbers = await seriesNumbers(client, type, 2026);
      expect(numbers, `${type}`).toEqual(numbers.map((_, i) => `${prefix}2026-${String(i + 1).padStart(4, '0')}`));
      const assigned = results
        .filter((_, i) => fresh.includes(jobs[i]!.id) && jobs[i]!.client === client)
        .map((r) => r.body.number as string);
      expect(new Set(assigned).size, `${type} unique`).toBe(200);
      expect(assigned.every((n) => numbers.includes(n))).toBe(true);
      expect(numbers.slice(-200).sort()).toEqual([...assigned].sort());
    }
  });
});

describe('year boundary', () => {
  it('restarts every series on 1 January in the tenant’s time zone', async () => {
    const before = await seriesNumbers(owner, 'invoice', 2026);
    try {
      clock.set('2026-12-31T22:59:30Z'); // 23:59:30 in Madrid
      const last2026 = await closed(owner);
      expect(last2026).toMatchObject({
        issuedOn: '2026-12-31',
        fiscalYear: 2026,
        number: `I2026-${String(before.length + 1).padStart(4, '0')}`,
      });
      clock.set('2026-12-31T23:00:30Z'); // 00:00:30 on 1 January 2027 in Madrid, still 2026 in UTC
      const first2027 = await closed(owner);
      expect(first2027).toMatchObject({ issuedOn: '2027-01-01', fiscalYear: 2027, number: 'I2027-0001', dueOn: '2027-01-31' });
      expect((await closed(owner)).number).toBe('I2027-0002');
      expect((await closed(owner, { type: 'fee' })).number).toBe('F2027-0001');
      expect(await seriesNumbers(owner, 'invoice', 2027)).toEqual(['I2027-0001', 'I2027-0002']);
      const export2026 = await owner.get('/v1/bills/export?year=2026&type=invoice&limit=1');
      expect(export2026.body.items[0]).toMatchObject({ number: 'I2026-0001', customerName: 'Maria Puig', currency: 'EUR' });
    } finally {
      clock.set('2026-06-15T10:00:00Z');
    }
  });
});
