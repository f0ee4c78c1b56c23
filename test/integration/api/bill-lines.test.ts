import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '@consort/shared/core/clock';
import type { LocalStack } from '../../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// PATCH /v1/bills/{billId}/lines/{lineId}: staff correct a typed line of an open bill (the admin portal's "edit
// line"); the bill is re-priced; engine and amendment lines, and issued bills, refuse.

let stack: LocalStack;
let owner: ApiClient;
let accountId: string;

beforeAll(async () => {
  stack = await startTestStack({ clock: fixedClock('2026-06-15T10:00:00Z') });
  owner = (await signupTenant(stack.apiUrl, 'Lines')).client;
  const settings = await owner.patch('/v1/billing/settings', {
    issuer: { legalName: 'Lines Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] },
  });
  expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  const account = await owner.post('/v1/accounts', {
    name: 'Joan Serra',
    email: 'joan@example.org',
    country: 'ES',
    address: 'C/ Nou 5',
    city: 'Girona',
    postcode: '17001',
  });
  expect(account.status, JSON.stringify(account.body)).toBe(201);
  accountId = account.body.id;
});

afterAll(async () => {
  await stack?.stop();
});

async function openBill() {
  const res = await owner.post('/v1/bills', {
    accountId,
    lines: [
      { description: 'Hosting', unitPrice: '10.00', periodStart: '2026-06-01', periodEnd: '2026-06-30' },
      { description: 'Setup', unitPrice: '5.00' },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('editing a line of an open bill', () => {
  it('changes the line in place and re-prices the bill', async () => {
    const bill = await openBill();
    const line = bill.lines[0];
    const res = await owner.patch(`/v1/bills/${bill.id}/lines/${line.id}`, {
      description: 'Hosting, premium',
      quantity: '2',
      unitPrice: '12.50',
      taxCategory: 'reduced',
      periodStart: null,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lines.map((l: { id: string }) => l.id)).toEqual(bill.lines.map((l: { id: string }) => l.id));
    const edited = res.body.lines[0];
    expect(edited).toMatchObject({
      description: 'Hosting, premium',
      quantity: '2',
      unitPrice: '12.5',
      total: '25.00',
      taxCategory: 'reduced',
    });
    expect(edited.periodStart).toBeUndefined();
    expect(edited.periodEnd).toBe('2026-06-30');
    // 25.00 at 10 % + 5.00 at 21 %: base 30.00, tax 2.50 + 1.05.
    expect(res.body.totals).toMatchObject({ base: '30.00', tax: '3.55', total: '33.55' });
    expect(res.body.version).toBe(bill.version + 1);
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.totals.total).toBe('33.55');
  });

  it('validates the fields with 422s that name them, and changes nothing', async () => {
    const bill = await openBill();
    const res = await owner.patch(`/v1/bills/${bill.id}/lines/${bill.lines[1].id}`, { unitPrice: '12,50', quantity: 'two' });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string[] }) => d.path.join('.')).sort()).toEqual(['quantity', 'unitPrice']);
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.totals.total).toBe(bill.totals.total);
  });

  it('answers 404 for an unknown line', async () => {
    const bill = await openBill();
    expect((await owner.patch(`/v1/bills/${bill.id}/lines/bll_nope`, { description: 'x' })).status).toBe(404);
  });

  it('refuses issued bills and amendment lines (409)', async () => {
    const bill = await openBill();
    const closed = await owner.post(`/v1/bills/${bill.id}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const onIssued = await owner.patch(`/v1/bills/${bill.id}/lines/${bill.lines[0].id}`, { unitPrice: '1.00' });
    expect(onIssued.status).toBe(409);
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.totals.total).toBe(closed.body.totals.total);

    const amendment = await owner.post(`/v1/bills/${bill.id}/amend`, { cause: 'Wrong price' });
    expect(amendment.status, JSON.stringify(amendment.body)).toBe(201);
    const onAmendmentLine = await owner.patch(`/v1/bills/${amendment.body.id}/lines/${amendment.body.lines[0].id}`, {
      unitPrice: '1.00',
    });
    expect(onAmendmentLine.status).toBe(409);
  });
});
