import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { AccountFields } from '@/components/account-fields';
import { ActionButton } from '@/components/action-button';
import { ActionForm, CheckboxField, CheckboxGroup, Field, SelectField, SubmitButton } from '@/components/form';
import { Badge, DescriptionList, EmptyState, PageHeader, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { addContact, createCustomerUser, deleteAccount, removeContact, updateAccount } from '@/server/actions/accounts';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { countryName, localeOptions } from '@/server/options';
import { getMe } from '@/server/queries';
import type { Account, Contact, Page, Service, User } from '@/server/types';

const USAGES = ['billing', 'technical', 'administrative', 'emergency', 'support'] as const;

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const account = await apiGet<Account>(`/v1/accounts/${encodeURIComponent(id)}`);
  return { title: account.name };
}

export default async function AccountPage({ params }: { params: Params }) {
  const { id } = await params;
  const { locale, t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const path = `/v1/accounts/${encodeURIComponent(id)}`;
  const [account, contacts, services, users] = await Promise.all([
    apiGet<Account>(path),
    apiGet<Page<Contact>>(`${path}/contacts`),
    has('services:read') ? apiGet<Page<Service>>('/v1/services', { accountId: id, limit: 200 }) : undefined,
    has('users:manage') ? apiGet<Page<User>>('/v1/users', { limit: 200 }) : undefined,
  ]);
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
