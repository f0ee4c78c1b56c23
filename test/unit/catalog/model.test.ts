import { describe, expect, it } from 'vitest';
import {
  addDuration,
  BillableServiceInput,
  BillableServicePatch,
  billableServiceToJSON,
  BillingSettings,
  contractIssues,
  ContractedPackInput,
  definitionIssues,
  isContractActive,
  PackInput,
  packIssues,
  packToJSON,
  parseBillableService,
  parseBillableServiceInput,
  parsePack,
  patchBillableService,
} from '@consort/shared/catalog/model';
import { ValidationError } from '@consort/shared/core/errors';
import { createMockDefinition, createMockPack, TEST_TYPES } from '../../fixtures/factories/billing';

const ctx = { types: TEST_TYPES, resourceMetrics: { mailbox: ['disk', 'traffic'] } };

function issuesOf(input: unknown): { path: (string | number)[]; message: string }[] {
  try {
    parseBillableServiceInput(input, ctx);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return ((error as ValidationError).details as { path: (string | number)[]; message: string }[]).map(({ path, message }) => ({
      path,
      message,
    }));
  }
}

describe('BillableServiceInput', () => {
  it('fills the defaults of a prepaid monthly subscription and parses the price into a Decimal', () => {
    const d = parseBillableServiceInput({ name: 'Mailbox', serviceKind: 'mailbox', nominalPrice: '10.50' }, ctx);
    expect(d).toMatchObject({
      description: '',
      predicate: { all: [] },
      billingPeriod: 'monthly',
      billingPoint: 'fixed',
      pricingPeriod: 'billing',
      metric: { type: 'count', mode: 'active' },
      ratingAlgorithm: 'progressive',
      paymentStyle: 'prepay',
      onRegister: 'prorate',
      onCancel: 'discount',
      onDeactivation: 'nothing',
      rechargeOnRevokedCancel: false,
      trialPeriod: null,
      ignorePeriod: null,
      isFee: false,
      taxCategory: 'standard',
      isActive: true,
    });
    expect(d.nominalPrice.toFixed(2)).toBe('10.50');
  });

  it('accepts every option', () => {
    const d = parseBillableServiceInput(
      {
        name: 'Big mailbox traffic',
        serviceKind: 'mailbox',
        predicate: { field: 'quota', op: 'gt', value: 10240 },
        billingPeriod: 'annual',
        billingPoint: 'fixed',
        fixedMonth: 4,
        fixedDay: 1,
        pricingPeriod: 'monthly',
        metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' },
        ratingAlgorithm: 'best',
        nominalPrice: '0.10',
        paymentStyle: 'postpay',
        onRegister: 'discount-to-billing-point',
        onCancel: 'nothing',
        onDeactivation: 'discount',
        rechargeOnRevokedCancel: true,
        trialPeriod: { count: 30, unit: 'days' },
        ignorePeriod: { count: 1, unit: 'months' },
        isFee: false,
        taxCategory: 'reduced',
      },
      ctx,
    );
    expect(d.metric).toEqual({ type: 'named', name: 'traffic', mode: 'sum-during-period' });
  });

  it('explains each invalid field', () => {
    expect(issuesOf({ name: '', serviceKind: 'mailbox', nominalPrice: '10' })).toEqual([{ path: ['name'], message: 'Required' }]);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: '-1' })).toEqual([
      { path: ['nominalPrice'], message: 'Use a price of 0 or more' },
    ]);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: 10 })[0]!.path).toEqual(['nominalPrice']);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: '1', trialPeriod: { count: 0, unit: 'days' } })).toEqual([
      { path: ['trialPeriod', 'count'], message: 'Use at least 1' },
    ]);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: '1', fixedMonth: 13, billingPeriod: 'annual' })).toEqual([
      { path: ['fixedMonth'], message: 'Use a month number 1–12' },
    ]);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: '1', taxCategory: 'Standard VAT' })).toEqual([
      { path: ['taxCategory'], message: 'Use a tax category code such as standard or reduced' },
    ]);
  });

  it('checks the rules between fields', () => {
    const base = { name: 'M', serviceKind: 'mailbox', nominalPrice: '1' };
    expect(issuesOf({ ...base, metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' } })).toEqual([
      { path: ['paymentStyle'], message: 'Usage maximised or summed over a period is only known after it: use postpay' },
    ]);
    expect(issuesOf({ ...base, paymentStyle: 'postpay', onCancel: 'refund' })).toEqual([
      { path: ['onCancel'], message: 'Only prepaid time can be compensated or refunded: use nothing or discount for postpay' },
    ]);
    expect(issuesOf({ ...base, billingPeriod: 'once', metric: { type: 'count', mode: 'renewed' } })).toEqual([
      { path: ['metric'], message: 'A one-time service is never renewed: count registered or active services' },
    ]);
    expect(issuesOf({ ...base, billingPoint: 'on-register', fixedDay: 5 })).toEqual([
      { path: ['fixedDay'], message: 'A fixed month or day only applies to a fixed billing point' },
    ]);
    expect(issuesOf({ ...base, fixedMonth: 4 })).toEqual([
      { path: ['fixedMonth'], message: 'A monthly service has no billing month: leave it out' },
    ]);
    expect(
      issuesOf({
        ...base,
        paymentStyle: 'postpay',
        billingPeriod: 'once',
        metric: { type: 'named', name: 'disk', mode: 'max-during-period' },
      }),
    ).toEqual([{ path: ['metric'], message: 'A one-time service has no period to maximise or sum over: use the current mode' }]);
  });

  it('checks the kind, the predicate fields and the metric name against the registry', () => {
    const [unknownKind, ...rest] = issuesOf({ name: 'M', serviceKind: 'vps', nominalPrice: '1' });
    expect(rest).toEqual([]);
    expect(unknownKind!.path).toEqual(['serviceKind']);
    expect(unknownKind!.message).toMatch(/^Unknown service kind "vps"; use one of domain, .*mailbox/);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: '1', predicate: { field: 'size', op: 'gt', value: 1 } })).toEqual([
      { path: ['predicate', 'field'], message: 'A mailbox has no field "size"' },
    ]);
    expect(issuesOf({ name: 'M', serviceKind: 'mailbox', nominalPrice: '1', metric: { type: 'named', name: 'cpu' } })).toEqual([
      { path: ['metric', 'name'], message: 'A mailbox has no metric "cpu"; use mailboxes, quota, disk, traffic' },
    ]);
    // The domain type's own metrics are known without resources.
    expect(
      definitionIssues({ serviceKind: 'domain', predicate: { all: [] }, metric: { type: 'named', name: 'records', mode: 'current' } }),
    ).toEqual([]);
    expect(
      definitionIssues({
        serviceKind: 'domain',
        predicate: { field: 'name', op: 'contains', value: '.org' },
        metric: { type: 'count', mode: 'active' },
      }),
    ).toEqual([]);
  });

  it('patches without resetting defaults, and validates the merged result', () => {
    expect(BillableServicePatch.parse({ nominalPrice: '12' }).nominalPrice?.toFixed()).toBe('12');
    expect(BillableServicePatch.parse({})).toEqual({});
    const stored = createMockDefinition({ onCancel: 'refund', billingPeriod: 'annual' });
    const patched = patchBillableService(stored, { nominalPrice: '12.00', name: 'Mailbox (2025)' }, ctx);
    expect(patched).toMatchObject({
      id: stored.id,
      tenantId: 'tnt_1',
      name: 'Mailbox (2025)',
      onCancel: 'refund',
      billingPeriod: 'annual',
    });
    expect(patched.nominalPrice.toFixed(2)).toBe('12.00');
    expect(() => patchBillableService(stored, { paymentStyle: 'postpay' }, ctx)).toThrow(ValidationError);
  });

  it('round-trips through JSON with the price as a string', () => {
    const d = createMockDefinition({ nominalPrice: '10.125', predicate: { field: 'quota', op: 'gt', value: 10 } });
    const json = billableServiceToJSON(d);
    expect(json.nominalPrice).toBe('10.125');
    const back = parseBillableService(JSON.parse(JSON.stringify(json)));
    expect(back.nominalPrice.eq(d.nominalPrice)).toBe(true);
    expect(back).toEqual(d);
    expect(BillableServiceInput.safeParse({ ...json, nominalPrice: '1e3' }).success).toBe(false);
  });
});

describe('packs', () => {
  it('parses rates, rejects duplicates (0 counts as 1) and multiple default contracts', () => {
    const p = PackInput.parse({
      name: 'Organisation',
      rates: [
        { billableServiceId: 'bsv_domain', from: 1, price: '0' },
        { billableServiceId: 'bsv_domain', from: 2, price: '10' },
      ],
    });
    expect(p).toMatchObject({ isDefault: false, isCombinable: true, allowMultiple: false, description: '' });
    const dup = PackInput.safeParse({
      name: 'X',
      rates: [
        { billableServiceId: 'b', from: 0, price: '1' },
        { billableServiceId: 'b', from: 1, price: '2' },
      ],
    });
    expect(dup.error?.issues.map((i) => i.message)).toEqual(['Two rates of b start at unit 1 (0 counts as 1)']);
    const multi = PackInput.safeParse({ name: 'X', isDefault: true, allowMultiple: true });
    expect(multi.error?.issues.map((i) => i.message)).toEqual([
      'A default pack applies once to everybody; it cannot be contracted several times',
    ]);
    expect(packIssues(p, new Set(['bsv_other']))).toEqual([
      { path: ['rates', 0, 'billableServiceId'], message: 'No billable service bsv_domain' },
      { path: ['rates', 1, 'billableServiceId'], message: 'No billable service bsv_domain' },
    ]);
  });

  it('round-trips through JSON', () => {
    const pack = createMockPack({ rates: [{ billableServiceId: 'b', from: 5, price: '9.50' }] });
    const json = packToJSON(pack);
    expect(json.rates?.[0]?.price).toBe('9.5');
    expect(parsePack(JSON.parse(JSON.stringify(json)))).toEqual(pack);
  });
});

describe('contracted packs', () => {
  const org = { id: 'pck_org', name: 'Organisation', isDefault: false, allowMultiple: false };

  it('must end after they start; are active on [startsOn, endsOn)', () => {
    expect(
      ContractedPackInput.safeParse({ accountId: 'a', packId: 'p', startsOn: '2024-03-01', endsOn: '2024-03-01' }).error?.issues[0]
        ?.message,
    ).toBe('The contract must end after it starts');
    expect(ContractedPackInput.safeParse({ accountId: 'a', packId: 'p', startsOn: '2024-02-30' }).success).toBe(false);
    const c = { startsOn: '2024-03-01', endsOn: '2024-04-01' };
    expect([
      isContractActive(c, '2024-02-29'),
      isContractActive(c, '2024-03-01'),
      isContractActive(c, '2024-03-31'),
      isContractActive(c, '2024-04-01'),
    ]).toEqual([false, true, true, false]);
  });

  it('refuse default packs and overlapping contractions of single packs', () => {
    expect(contractIssues({ ...org, isDefault: true }, [], { startsOn: '2024-01-01' })[0]!.message).toContain('default pack');
    const existing = [{ id: 'c1', packId: 'pck_org', startsOn: '2024-01-01', endsOn: '2024-06-01' }];
    expect(contractIssues(org, existing, { startsOn: '2024-05-01' })).toHaveLength(1);
    expect(contractIssues(org, existing, { startsOn: '2024-06-01' })).toEqual([]);
    expect(contractIssues(org, existing, { startsOn: '2023-01-01', endsOn: '2024-01-01' })).toEqual([]);
    expect(contractIssues(org, existing, { id: 'c1', startsOn: '2024-02-01' })).toEqual([]);
    expect(contractIssues({ ...org, allowMultiple: true }, existing, { startsOn: '2024-05-01' })).toEqual([]);
  });
});

describe('settings and durations', () => {
  it('default the fixed billing point to 1 January and add durations with month-end clamping', () => {
    expect(BillingSettings.parse({})).toEqual({ fixedMonth: 1, fixedDay: 1 });
    expect(addDuration('2024-03-15', { count: 30, unit: 'days' })).toBe('2024-04-14');
    expect(addDuration('2024-01-31', { count: 1, unit: 'months' })).toBe('2024-02-29');
  });
});
