import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { AccountBills } from '@/components/account-bills';
import { AccountFields } from '@/components/account-fields';
import { AccountLimits } from '@/components/account-limits';
import { ActionButton } from '@/components/action-button';
import { BillingPreview } from '@/components/billing-preview';
import { MandatesTable, type MandateList } from '@/components/mandates-table';
import { ActionForm, CheckboxField, CheckboxGroup, Field, SelectField, SubmitButton } from '@/components/form';
import { OrdersTable } from '@/components/orders-table';
import { Badge, DescriptionList, EmptyState, Notice, PageHeader, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { addContact, createCustomerUser, deleteAccount, removeContact, updateAccount } from '@/server/actions/accounts';
import { recordPaperMandate } from '@/server/actions/mandates';
import { contractPack, endContract, removeContract } from '@/server/actions/catalog';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { countryName, localeOptions } from '@/server/options';
import { getMe } from '@/server/queries';
import type { Account, BillableService, Contact, ContractedPack, Order, Pack, Page, Service, User } from '@/server/types';

const USAGES = ['billing', 'technical', 'administrative', 'emergency', 'support'] as const;

/** `GET /v1/accounts/{id}/dunning` */
interface DunningStatus {
  dunning: boolean;
  level: number;
  steps: { index: number; action: 'remind' | 'retry-card' | 'suspend' | 'terminate'; on: string; note?: string }[];
  suspendedServiceIds: string[];
  terminationFlaggedOn: string | null;
  startedOn: string | null;
}

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const account = await apiGet<Account>(`/v1/accounts/${encodeURIComponent(id)}`);
  return { title: account.name };
}

export default async function AccountPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const billUntil = Array.isArray(query.billUntil) ? query.billUntil[0] : query.billUntil;
  const { locale, t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const path = `/v1/accounts/${encodeURIComponent(id)}`;
  const [account, contacts, services, users, contracts, packs, definitions, orders] = await Promise.all([
    apiGet<Account>(path),
    apiGet<Page<Contact>>(`${path}/contacts`),
    has('services:read') ? apiGet<Page<Service>>('/v1/services', { accountId: id, limit: 200 }) : undefined,
    has('users:manage') ? apiGet<Page<User>>('/v1/users', { limit: 200 }) : undefined,
    has('catalog:read') ? apiGet<{ items: ContractedPack[] }>(`${path}/packs`) : undefined,
    has('catalog:read') ? apiGet<{ items: Pack[] }>('/v1/packs') : undefined,
    has('catalog:read') ? apiGet<{ items: BillableService[] }>('/v1/billable-services') : undefined,
    has('orders:read') ? apiGet<Page<Order>>('/v1/orders', { accountId: id, limit: 50 }) : undefined,
  ]);
  const [dunning, mandates] = has('payments:read')
    ? await Promise.all([apiGet<DunningStatus>(`${path}/dunning`), apiGet<MandateList>(`${path}/mandates`)])
    : [undefined, undefined];
  const canContract = has('catalog:write');
  const today = fmt.today();
  const packName = new Map((packs?.items ?? []).map((p) => [p.id, p.name]));
  const definitionName = new Map((definitions?.items ?? []).map((d) => [d.id, d.name]));
  const contractLabel = (c: ContractedPack) =>
    t('contracts.contractLabel', { pack: packName.get(c.packId) ?? c.packId, date: fmt.day(c.startsOn) });
  const openContracts = (contracts?.items ?? []).filter((c) => !c.endsOn || c.endsOn > today);
  const contractable = (packs?.items ?? []).filter((p) => !p.isDefault);
  const canWrite = has('accounts:write');
  const portalUsers = users?.items.filter((u) => u.role === 'customer' && u.accountId === id);
  const usageOptions = USAGES.map((u) => ({ value: u, label: t(`contacts.usages.${u}`) }));

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/accounts">← {t('accounts.title')}</Link>
      </p>
      <PageHeader
        title={account.name}
        description={t(`accounts.types.${account.type}`)}
        actions={account.active ? <Badge tone="success">{t('accounts.active')}</Badge> : <Badge>{t('accounts.inactive')}</Badge>}
      />

      <Section title={t('accounts.detailsTitle')} id="details">
        <DescriptionList
          items={[
            [t('fields.email'), account.email],
            [t('fields.phone'), account.phone],
            [t('accounts.vatId'), account.vatId],
            [t('accounts.address'), [account.address, account.postcode, account.city].filter(Boolean).join(', ') || undefined],
            [t('fields.country'), countryName(locale, account.country)],
            [
              t('fields.language'),
              account.locale ? localeOptions().find((o) => o.value === account.locale)?.label : t('accounts.localeDefault'),
            ],
            [t('common.created'), fmt.dateTime(account.createdAt)],
            [t('accounts.comments'), account.comments],
          ]}
        />
        {canWrite && (
          <details className="disclosure" style={{ marginTop: '1rem' }}>
            <summary>{t('accounts.editTitle')}</summary>
            <ActionForm action={updateAccount.bind(null, id)} aria-label={t('accounts.editTitle')}>
              <AccountFields account={account} />
              <CheckboxField name="active" label={t('accounts.activeLabel')} defaultChecked={account.active} />
              <div className="form-actions">
                <SubmitButton>{t('common.saveChanges')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>

      {dunning?.dunning && (
        <Section
          title={t('dunning.title')}
          id="dunning"
          description={t('dunning.intro', { date: fmt.day(dunning.startedOn!), level: dunning.level })}
        >
          {dunning.terminationFlaggedOn && (
            <Notice tone="warning">{t('dunning.terminate', { date: fmt.day(dunning.terminationFlaggedOn) })}</Notice>
          )}
          {dunning.suspendedServiceIds.length > 0 && <p>{t('dunning.suspended', { count: dunning.suspendedServiceIds.length })}</p>}
          <Table caption={t('dunning.title')}>
            <thead>
              <tr>
                <th scope="col">{t('dunning.day')}</th>
                <th scope="col">{t('dunning.action')}</th>
                <th scope="col">{t('dunning.note')}</th>
              </tr>
            </thead>
            <tbody>
              {dunning.steps.map((step) => (
                <tr key={step.index}>
                  <td>{fmt.day(step.on)}</td>
                  <td>{t(`dunning.actions.${step.action}`)}</td>
                  <td>{step.note}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Section>
      )}

      {mandates && (
        <Section title={t('mandates.title')} id="mandates" description={t('mandates.accountDescription')}>
          <MandatesTable
            accountId={id}
            mandates={mandates.items}
            canRevoke={has('payments:write')}
            back={`/admin/accounts/${id}`}
            creditorName={mandates.creditor?.name ?? me.tenant.name}
          />
          {has('payments:write') && mandates.creditor && (
            <details className="disclosure" style={{ marginTop: '1rem' }}>
              <summary>{t('mandates.paperTitle')}</summary>
              <ActionForm action={recordPaperMandate.bind(null, id)} aria-label={t('mandates.paperTitle')}>
                <p className="field-hint">{t('mandates.paperDescription')}</p>
                <div className="form-grid">
                  <Field name="debtor.name" label={t('mandates.holder')} required maxLength={140} />
                  <Field name="debtor.iban" label={t('mandates.iban')} required maxLength={50} autoComplete="off" spellCheck={false} />
                  <Field
                    name="signedOn"
                    type="date"
                    label={t('mandates.signedOnField')}
                    required
                    max={fmt.today()}
                    defaultValue={fmt.today()}
                  />
                  <Field
                    name="reference"
                    label={t('mandates.reference')}
                    hint={t('mandates.referenceHint')}
                    maxLength={35}
                    spellCheck={false}
                  />
                  <SelectField
                    name="kind"
                    label={t('mandates.kind')}
                    defaultValue="recurrent"
                    options={[
                      { value: 'recurrent', label: t('mandates.kinds.recurrent') },
                      { value: 'one-off', label: t('mandates.kinds.one-off') },
                    ]}
                  />
                  <SelectField
                    name="scheme"
                    label={t('mandates.scheme')}
                    defaultValue="CORE"
                    options={[
                      { value: 'CORE', label: 'CORE' },
                      { value: 'B2B', label: 'B2B' },
                    ]}
                  />
                </div>
                <CheckboxField name="makeDefault" label={t('mandates.makeDefaultStaff')} defaultChecked />
                <div className="form-actions">
                  <SubmitButton>{t('mandates.record')}</SubmitButton>
                </div>
              </ActionForm>
            </details>
          )}
        </Section>
      )}

      {services && (
        <Section
          title={t('accounts.servicesTitle')}
          id="services"
          actions={
            has('services:write') && (
              <Link className="button button-secondary button-small" href={`/admin/domains?accountId=${encodeURIComponent(id)}#new-domain`}>
                {t('domains.create')}
              </Link>
            )
          }
        >
          {services.items.length === 0 ? (
            <EmptyState>{t('accounts.noServices')}</EmptyState>
          ) : (
            <Table caption={t('accounts.servicesTitle')}>
              <thead>
                <tr>
                  <th scope="col">{t('fields.name')}</th>
                  <th scope="col">{t('services.kind')}</th>
                  <th scope="col">{t('services.state')}</th>
                  <th scope="col">{t('common.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {services.items.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.kind === 'domain' ? <Link href={`/admin/domains/${s.id}`}>{s.name}</Link> : s.name}</th>
                    <td>{s.kind === 'domain' ? t('services.kinds.domain') : s.kind}</td>
                    <td>
                      <StateBadge state={s.state} />
                    </td>
                    <td>{fmt.dateTime(s.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Section>
      )}

      {contracts && (
        <Section title={t('contracts.title')} id="packs" description={t('contracts.description')}>
          {contracts.items.length === 0 ? (
            <EmptyState>{t('contracts.empty')}</EmptyState>
          ) : (
            <Table caption={t('contracts.title')}>
              <thead>
                <tr>
                  <th scope="col">{t('contracts.pack')}</th>
                  <th scope="col">{t('contracts.startsOn')}</th>
                  <th scope="col">{t('contracts.endsOn')}</th>
                  <th scope="col">{t('contracts.status')}</th>
                  {canContract && (
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {contracts.items.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link href={`/admin/catalog/packs/${c.packId}`}>{packName.get(c.packId) ?? c.packId}</Link>
                    </th>
                    <td>{fmt.day(c.startsOn)}</td>
                    <td>{c.endsOn ? fmt.day(c.endsOn) : <span className="muted">{t('contracts.openEnded')}</span>}</td>
                    <td>
                      {c.startsOn > today ? (
                        <Badge tone="info">{t('contracts.upcoming')}</Badge>
                      ) : c.endsOn && c.endsOn <= today ? (
                        <Badge>{t('contracts.ended')}</Badge>
                      ) : (
                        <Badge tone="success">{t('contracts.current')}</Badge>
                      )}
                    </td>
                    {canContract && (
                      <td className="actions">
                        <ActionButton
                          action={removeContract.bind(null, id, c.id)}
                          label={t('common.remove')}
                          accessibleName={t('contracts.removeNamed', { contract: contractLabel(c) })}
                          confirm={t('contracts.confirmRemove', { contract: contractLabel(c) })}
                          variant="danger"
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {canContract && (
            <details className="disclosure" style={{ marginTop: '1rem' }}>
              <summary>{t('contracts.addTitle')}</summary>
              {contractable.length === 0 ? (
                <p className="muted">
                  {t('contracts.noPacks')} <Link href="/admin/catalog/packs#new-pack">{t('packs.createTitle')}</Link>
                </p>
              ) : (
                <ActionForm action={contractPack.bind(null, id)} aria-label={t('contracts.addTitle')}>
                  <div className="form-grid">
                    <SelectField
                      name="packId"
                      label={t('contracts.pack')}
                      required
                      placeholder={t('contracts.choosePack')}
                      options={contractable.map((p) => ({ value: p.id, label: p.name }))}
                    />
                    <Field name="startsOn" type="date" label={t('contracts.startsOn')} required defaultValue={today} />
                    <Field name="endsOn" type="date" label={t('contracts.endsOn')} hint={t('contracts.endsOnHint')} />
                  </div>
                  <div className="form-actions">
                    <SubmitButton>{t('contracts.add')}</SubmitButton>
                  </div>
                </ActionForm>
              )}
            </details>
          )}
          {canContract && openContracts.length > 0 && (
            <details className="disclosure" style={{ marginTop: '1rem' }}>
              <summary>{t('contracts.endTitle')}</summary>
              <ActionForm action={endContract.bind(null, id)} aria-label={t('contracts.endTitle')}>
                <div className="form-grid">
                  <SelectField
                    name="contractId"
                    label={t('contracts.contract')}
                    required
                    placeholder={openContracts.length > 1 ? t('contracts.chooseContract') : undefined}
                    options={openContracts.map((c) => ({ value: c.id, label: contractLabel(c) }))}
                  />
                  <Field
                    name="endsOn"
                    type="date"
                    label={t('contracts.endsOn')}
                    hint={t('contracts.endHint')}
                    required
                    defaultValue={today}
                  />
                </div>
                <div className="form-actions">
                  <SubmitButton>{t('contracts.end')}</SubmitButton>
                </div>
              </ActionForm>
            </details>
          )}
        </Section>
      )}

      {orders && (
        <Section
          title={t('orders.accountTitle')}
          id="orders"
          description={t('orders.accountDescription')}
          actions={orders.nextCursor && <Link href={`/admin/orders?accountId=${encodeURIComponent(id)}`}>{t('orders.allOfAccount')}</Link>}
        >
          {orders.items.length === 0 ? (
            <EmptyState>{t('orders.accountEmpty')}</EmptyState>
          ) : (
            <OrdersTable orders={orders.items} caption={t('orders.accountTitle')} definitionName={definitionName} />
          )}
        </Section>
      )}

      {orders && (
        <BillingPreview
          path={`/admin/accounts/${id}`}
          accountId={id}
          billUntil={billUntil}
          orderName={new Map(orders.items.map((o) => [o.id, o.description]))}
        />
      )}

      <AccountBills accountId={id} />

      <Section title={t('contacts.title')} id="contacts" description={t('contacts.description')}>
        {contacts.items.length === 0 ? (
          <EmptyState>{t('contacts.empty')}</EmptyState>
        ) : (
          <Table caption={t('contacts.title')}>
            <thead>
              <tr>
                <th scope="col">{t('fields.name')}</th>
                <th scope="col">{t('fields.email')}</th>
                <th scope="col">{t('fields.phone')}</th>
                <th scope="col">{t('contacts.usagesLabel')}</th>
                {canWrite && (
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {contacts.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>{c.email}</td>
                  <td>{c.phone ?? '—'}</td>
                  <td>{c.usages.map((u) => t(`contacts.usages.${u}`)).join(', ')}</td>
                  {canWrite && (
                    <td className="actions">
                      <ActionButton
                        action={removeContact.bind(null, id, c.id)}
                        label={t('common.remove')}
                        accessibleName={t('contacts.removeNamed', { name: c.name })}
                        confirm={t('contacts.confirmRemove', { name: c.name })}
                        variant="danger"
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canWrite && (
          <details className="disclosure" style={{ marginTop: '1rem' }} open={contacts.items.length === 0}>
            <summary>{t('contacts.addTitle')}</summary>
            <ActionForm action={addContact.bind(null, id)} aria-label={t('contacts.addTitle')}>
              <div className="form-grid">
                <Field name="name" label={t('fields.name')} required maxLength={160} />
                <Field name="email" type="email" label={t('fields.email')} required />
                <Field name="phone" type="tel" label={t('fields.phone')} />
              </div>
              <CheckboxGroup
                name="usages"
                label={t('contacts.usagesLabel')}
                options={usageOptions}
                defaultValues={['billing', 'technical']}
                required
              />
              <div className="form-actions">
                <SubmitButton>{t('contacts.add')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>

      {has('services:read') && <AccountLimits account={account} canEdit={canWrite} />}

      {canWrite && (
        <Section title={t('customerUsers.title')} id="portal-users" description={t('customerUsers.description')}>
          {portalUsers &&
            (portalUsers.length === 0 ? (
              <EmptyState>{t('customerUsers.empty')}</EmptyState>
            ) : (
              <Table caption={t('customerUsers.title')}>
                <thead>
                  <tr>
                    <th scope="col">{t('fields.name')}</th>
                    <th scope="col">{t('fields.email')}</th>
                    <th scope="col">{t('common.created')}</th>
                  </tr>
                </thead>
                <tbody>
                  {portalUsers.map((u) => (
                    <tr key={u.id}>
                      <th scope="row">{u.name}</th>
                      <td>{u.email}</td>
                      <td>{fmt.date(u.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ))}
          <details className="disclosure" style={{ marginTop: '1rem' }}>
            <summary>{t('customerUsers.createTitle')}</summary>
            <ActionForm action={createCustomerUser.bind(null, id)} aria-label={t('customerUsers.createTitle')}>
              <div className="form-grid">
                <Field name="name" label={t('fields.name')} required maxLength={120} defaultValue={account.name} />
                <Field name="email" type="email" label={t('fields.email')} required autoComplete="off" defaultValue={account.email} />
                <Field
                  name="password"
                  type="password"
                  label={t('fields.password')}
                  hint={t('signup.passwordHint')}
                  required
                  minLength={12}
                  autoComplete="new-password"
                />
                <SelectField name="locale" label={t('fields.language')} options={localeOptions()} defaultValue={account.locale ?? locale} />
              </div>
              <p className="field-hint">{t('customerUsers.loginHint', { organisation: me.tenant.slug })}</p>
              <div className="form-actions">
                <SubmitButton>{t('customerUsers.create')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        </Section>
      )}

      {canWrite && (
        <Section title={t('accounts.dangerTitle')} id="danger" description={t('accounts.deleteHint')}>
          <ActionButton
            action={deleteAccount.bind(null, id)}
            label={t('accounts.delete')}
            confirm={t('accounts.confirmDelete', { name: account.name })}
            variant="danger"
          />
        </Section>
      )}
    </>
  );
}
