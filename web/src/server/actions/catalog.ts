'use server';
// The catalog: billable service definitions, packs and the packs accounts contract. Prices travel as the text the
// user typed (decimal strings); they never become JS numbers here.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate, type Translate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { rowToCondition } from '@/lib/predicate-form';
import { api } from '../api';
import type { BillableServiceChange, ContractedPack, Duration, FieldCondition, Pack, Predicate } from '../types';
import { FormInputError, handleForm, num, optional, str } from './form';
import { rowField, submittedRows, type SubmittedRow } from './rows';

const CATALOG = '/admin/catalog';
const PACKS = '/admin/catalog/packs';

/** Checkboxes and radio groups of the definition form (absent from a submission when unchecked). */
const DEFINITION_CHECKS = [
  'rechargeOnRevokedCancel',
  'isFee',
  'isActive',
  'predicateMode',
  'predicateCombinator',
  'billingPoint',
  'metricType',
];

/** `{count, unit}` from a count field and a unit select; null (none) when the count is empty. */
function duration(formData: FormData, prefix: 'trial' | 'ignore'): Duration | null {
  const count = num(formData, `${prefix}Count`);
  return count === undefined ? null : ({ count, unit: str(formData, `${prefix}Unit`) || 'days' } as Duration);
}

interface PredicateInput {
  predicate: Predicate;
  /** The condition rows sent, in order (to put issues back next to their row). */
  rows: SubmittedRow[];
  mode: string;
}

function predicateFrom(t: Translate, formData: FormData): PredicateInput {
  const mode = str(formData, 'predicateMode') || 'all';
  if (mode === 'json') {
    const text = str(formData, 'predicateJson');
    if (!text) throw new FormInputError({ predicateJson: [t('apiGeneric.required')] });
    try {
      return { predicate: JSON.parse(text) as Predicate, rows: [], mode };
    } catch (error) {
      throw new FormInputError({ predicateJson: [t('catalog.predicate.jsonInvalid', { problem: (error as Error).message })] });
    }
  }
  if (mode !== 'conditions') return { predicate: { all: [] }, rows: [], mode: 'all' };
  const rows = submittedRows(formData, 'cond', ['op']);
  const conditions = rows.map((r) => rowToCondition(r.values.field ?? '', r.values.op ?? 'eq', r.values.value ?? '')) as FieldCondition[];
  if (conditions.length === 0) throw new FormInputError({ predicateMode: [t('catalog.predicate.noConditions')] });
  const combinator = str(formData, 'predicateCombinator') === 'any' ? 'any' : 'all';
  return { predicate: combinator === 'any' ? { any: conditions } : { all: conditions }, rows, mode };
}

/** The definition's fields from the form; `serviceKind` only on create (it cannot change). */
function definitionBody(formData: FormData, predicate: Predicate) {
  const billingPoint = str(formData, 'billingPoint') || undefined;
  const metricType = str(formData, 'metricType');
  const fixed = billingPoint !== 'on-register';
  return {
    name: str(formData, 'name'),
    description: str(formData, 'description'),
    predicate,
    billingPeriod: optional(formData, 'billingPeriod'),
    billingPoint,
    // Month and day belong to a fixed billing point; with "on registration" their (hidden) fields are ignored.
    fixedMonth: fixed ? num(formData, 'fixedMonth') : undefined,
    fixedDay: fixed ? num(formData, 'fixedDay') : undefined,
    pricingPeriod: optional(formData, 'pricingPeriod'),
    metric:
      metricType === 'named'
        ? { type: 'named', name: str(formData, 'metricName'), mode: optional(formData, 'usageMode') }
        : { type: 'count', mode: optional(formData, 'countMode') },
    ratingAlgorithm: optional(formData, 'ratingAlgorithm'),
    nominalPrice: str(formData, 'nominalPrice'),
    paymentStyle: optional(formData, 'paymentStyle'),
    onRegister: optional(formData, 'onRegister'),
    onCancel: optional(formData, 'onCancel'),
    onDeactivation: optional(formData, 'onDeactivation'),
    rechargeOnRevokedCancel: formData.get('rechargeOnRevokedCancel') === 'on',
    trialPeriod: duration(formData, 'trial'),
    ignorePeriod: duration(formData, 'ignore'),
    isFee: formData.get('isFee') === 'on',
    taxCategory: str(formData, 'taxCategory') || 'standard',
    isActive: formData.get('isActive') === 'on',
  };
}

/** API issue paths → the definition form's fields (predicate rows, metric and period parts). */
function definitionFieldFor(input: () => PredicateInput | undefined, formData: FormData) {
  return (path: (string | number)[]): string | { field: string; prefix?: string } | undefined => {
    const [head, ...rest] = path;
    switch (head) {
      case 'predicate': {
        const p = input();
        if (p?.mode === 'json') return { field: 'predicateJson', prefix: rest.join('.') || undefined };
        if (p?.mode === 'conditions' && (rest[0] === 'all' || rest[0] === 'any') && rest.length >= 2) {
          const part = rest[2];
          return rowField('cond', p.rows, rest[1], part === 'op' || part === 'value' ? part : 'field');
        }
        return 'predicateMode';
      }
      case 'metric':
        if (rest[0] === 'name') return 'metricName';
        if (rest[0] === 'mode') return str(formData, 'metricType') === 'named' ? 'usageMode' : 'countMode';
        return 'metricType';
      case 'trialPeriod':
        return rest[0] === 'unit' ? 'trialUnit' : 'trialCount';
      case 'ignorePeriod':
        return rest[0] === 'unit' ? 'ignoreUnit' : 'ignoreCount';
      default:
        return path.join('.');
    }
  };
}

export async function createBillableService(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  let input: PredicateInput | undefined;
  return handleForm(
    formData,
    async () => {
      input = predicateFrom(t, formData);
      const created = await api<BillableServiceChange>('POST', '/v1/billable-services', {
        ...definitionBody(formData, input.predicate),
        serviceKind: str(formData, 'serviceKind'),
      });
      revalidatePath(CATALOG);
      redirect(`${CATALOG}/${encodeURIComponent(created.id)}?created=${created.ordersSynced}`);
    },
    { fields: DEFINITION_CHECKS, fieldFor: definitionFieldFor(() => input, formData) },
  );
}

export async function updateBillableService(id: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  let input: PredicateInput | undefined;
  return handleForm(
    formData,
    async () => {
      input = predicateFrom(t, formData);
      const saved = await api<BillableServiceChange>(
        'PATCH',
        `/v1/billable-services/${encodeURIComponent(id)}`,
        definitionBody(formData, input.predicate),
      );
      revalidatePath(CATALOG);
      revalidatePath(`${CATALOG}/${id}`);
      return { status: 'success', message: t('catalog.saved', { count: saved.ordersSynced }) };
    },
    { fields: DEFINITION_CHECKS, fieldFor: definitionFieldFor(() => input, formData) },
  );
}

export async function deleteBillableService(id: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/billable-services/${encodeURIComponent(id)}`);
    revalidatePath(CATALOG);
    redirect(CATALOG);
  });
}

// -----------------------------------------------------------------------------------------------------------------
// Packs

function packBody(formData: FormData, rates: SubmittedRow[]) {
  return {
    name: str(formData, 'name'),
    description: str(formData, 'description'),
    isDefault: formData.get('isDefault') === 'on',
    isCombinable: formData.get('isCombinable') === 'on',
    allowMultiple: formData.get('allowMultiple') === 'on',
    rates: rates.map((r) => ({
      billableServiceId: r.values.billableServiceId ?? '',
      // A count of units, not money: a number is right here (the API wants an integer).
      from: r.values.from ? (Number.isFinite(Number(r.values.from)) ? Number(r.values.from) : r.values.from) : 0,
      price: r.values.price ?? '',
    })),
  };
}

function packFieldFor(rates: SubmittedRow[]) {
  return (path: (string | number)[]) => {
    if (path[0] !== 'rates') return path.join('.');
    if (path.length === 1) return undefined;
    const column = path[2] === 'from' || path[2] === 'price' ? path[2] : 'billableServiceId';
    return rowField('rate', rates, path[1], column);
  };
}

const PACK_CHECKS = ['isDefault', 'isCombinable', 'allowMultiple'];

export async function createPack(_state: FormState, formData: FormData): Promise<FormState> {
  const rates = submittedRows(formData, 'rate');
  return handleForm(
    formData,
    async () => {
      const pack = await api<Pack>('POST', '/v1/packs', packBody(formData, rates));
      revalidatePath(PACKS);
      redirect(`${PACKS}/${encodeURIComponent(pack.id)}?created=1`);
    },
    { fields: PACK_CHECKS, fieldFor: packFieldFor(rates) },
  );
}

export async function updatePack(id: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  const rates = submittedRows(formData, 'rate');
  return handleForm(
    formData,
    async () => {
      await api<Pack>('PATCH', `/v1/packs/${encodeURIComponent(id)}`, packBody(formData, rates));
      revalidatePath(PACKS);
      revalidatePath(`${PACKS}/${id}`);
      return { status: 'success', message: t('packs.saved') };
    },
    { fields: PACK_CHECKS, fieldFor: packFieldFor(rates) },
  );
}

export async function deletePack(id: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/packs/${encodeURIComponent(id)}`);
    revalidatePath(PACKS);
    redirect(PACKS);
  });
}

// -----------------------------------------------------------------------------------------------------------------
// Contracted packs (on the account page)

const accountPath = (accountId: string) => `/admin/accounts/${accountId}`;
const contractsPath = (accountId: string) => `/v1/accounts/${encodeURIComponent(accountId)}/packs`;

export async function contractPack(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(formData, async () => {
    await api<ContractedPack>('POST', contractsPath(accountId), {
      packId: str(formData, 'packId'),
      startsOn: str(formData, 'startsOn'),
      endsOn: optional(formData, 'endsOn'),
    });
    revalidatePath(accountPath(accountId));
    return { status: 'success', message: t('contracts.added') };
  });
}

export async function endContract(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(formData, async () => {
    const contractId = str(formData, 'contractId');
    if (!contractId) throw new FormInputError({ contractId: [t('apiGeneric.required')] });
    await api<ContractedPack>('PATCH', `${contractsPath(accountId)}/${encodeURIComponent(contractId)}`, {
      endsOn: str(formData, 'endsOn'),
    });
    revalidatePath(accountPath(accountId));
    return { status: 'success', message: t('contracts.saved') };
  });
}

export async function removeContract(accountId: string, contractId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `${contractsPath(accountId)}/${encodeURIComponent(contractId)}`);
    revalidatePath(accountPath(accountId));
  });
}
