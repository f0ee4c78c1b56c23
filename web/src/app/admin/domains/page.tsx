import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionForm, Field, SelectField, SubmitButton, TextAreaField } from '@/components/form';
import { EmptyState, Notice, PageHeader, Pager, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { createDomain } from '@/server/actions/domains';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { Account, DomainService, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('domains.title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function DomainsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const params = await searchParams;
  const cursor = one(params.cursor);
  const me = await getMe();
  const canWrite = me.permissions.includes('services:write');
  const [domains, accounts] = await Promise.all([
    apiGet<Page<DomainService>>('/v1/services', { kind: 'domain', cursor, limit: 50 }),
    me.permissions.includes('accounts:read') ? apiGet<Page<Account>>('/v1/accounts', { limit: 200 }) : undefined,
  ]);
  const accountName = new Map((accounts?.items ?? []).map((a) => [a.id, a.name]));
  return (
    <>
      <PageHeader title={t('domains.title')} description={t('domains.description')} />
      <Section title={t('domains.listTitle')} id="domains">
        {domains.items.length === 0 ? (
          <EmptyState>{t('domains.empty')}</EmptyState>
        ) : (
          <Table caption={t('domains.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('domains.name')}</th>
                <th scope="col">{t('domains.account')}</th>
                <th scope="col">{t('services.state')}</th>
                <th scope="col">{t('domains.records')}</th>
                <th scope="col">{t('common.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {domains.items.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <Link href={`/admin/domains/${d.id}`}>{d.name}</Link>
                  </th>
                  <td>
                    {accountName.has(d.accountId) ? (
                      <Link href={`/admin/accounts/${d.accountId}`}>{accountName.get(d.accountId)}</Link>
                    ) : (
                      <span className="mono">{d.accountId}</span>
                    )}
                  </td>
                  <td>
                    <StateBadge state={d.state} />
                  </td>
                  <td>{fmt.number(d.spec.records?.length ?? 0)}</td>
                  <td>{fmt.dateTime(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/domains" nextCursor={domains.nextCursor} hasCursor={!!cursor} />
      </Section>
      {canWrite && (
        <Section title={t('domains.createTitle')} id="new-domain" description={t('domains.createDescription')}>
          {accounts && accounts.items.length === 0 ? (
            <Notice tone="info">
              {t('domains.needAccount')} <Link href="/admin/accounts#new-account">{t('accounts.createTitle')}</Link>
            </Notice>
          ) : (
            <ActionForm action={createDomain} aria-labelledby="new-domain-title">
              <div className="form-grid">
                <SelectField
                  name="accountId"
                  label={t('domains.account')}
                  required
                  placeholder={t('domains.chooseAccount')}
                  options={(accounts?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
                  defaultValue={one(params.accountId) ?? ''}
                />
                <Field
                  name="name"
                  label={t('domains.name')}
                  hint={t('domains.nameHint')}
                  required
                  autoCapitalize="none"
                  spellCheck={false}
                />
                <Field
                  name="ttl"
                  type="number"
                  label={t('domains.ttl')}
                  hint={t('domains.ttlHint')}
                  min={60}
                  max={604800}
                  inputMode="numeric"
                />
              </div>
              <TextAreaField
                name="records"
                label={t('domains.initialRecords')}
                hint={t('domains.initialRecordsHint')}
                rows={5}
                spellCheck={false}
                placeholder={'@ A 192.0.2.10\nwww CNAME @\n@ MX 10 mail.example.org.'}
              />
              <div className="form-actions">
                <SubmitButton>{t('domains.create')}</SubmitButton>
              </div>
            </ActionForm>
          )}
        </Section>
      )}
    </>
  );
}
