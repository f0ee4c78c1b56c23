import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { ApiKeyForm } from '@/components/api-key-form';
import { Badge, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { revokeApiKey } from '@/server/actions/api-keys';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import type { ApiKey, Page, StaffRole } from '@/server/types';

const ROLES: StaffRole[] = ['owner', 'admin', 'sysadmin', 'support', 'accountant'];

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('apiKeys.title') };
}

export default async function ApiKeysPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const keys = await apiGet<Page<ApiKey>>('/v1/api-keys');
  return (
    <>
      <PageHeader title={t('apiKeys.title')} description={t('apiKeys.description')} />
      <Section title={t('apiKeys.createTitle')} id="new-key">
        <ApiKeyForm
          roles={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          labels={{
            name: t('fields.name'),
            nameHint: t('apiKeys.nameHint'),
            role: t('apiKeys.role'),
            submit: t('apiKeys.create'),
            secretTitle: t('apiKeys.secretTitle'),
            secretHint: t('apiKeys.secretHint'),
            errorTitle: t('form.checkFields'),
          }}
        />
      </Section>
      <Section title={t('apiKeys.listTitle')} id="keys">
        {keys.items.length === 0 ? (
          <EmptyState>{t('apiKeys.empty')}</EmptyState>
        ) : (
          <Table caption={t('apiKeys.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('fields.name')}</th>
                <th scope="col">{t('apiKeys.role')}</th>
                <th scope="col">{t('apiKeys.prefix')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('apiKeys.lastUsed')}</th>
                <th scope="col">{t('apiKeys.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.items.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td>{t(`roles.${k.role}`)}</td>
                  <td className="mono">{k.prefix}…</td>
                  <td>{fmt.dateTime(k.createdAt)}</td>
                  <td>{k.lastUsedAt ? fmt.dateTime(k.lastUsedAt) : t('apiKeys.never')}</td>
                  <td>
                    {k.revokedAt ? (
                      <Badge>{t('apiKeys.revokedOn', { date: fmt.date(k.revokedAt) })}</Badge>
                    ) : (
                      <Badge tone="success">{t('apiKeys.active')}</Badge>
                    )}
                  </td>
                  <td className="actions">
                    {!k.revokedAt && (
                      <ActionButton
                        action={revokeApiKey.bind(null, k.id)}
                        label={t('apiKeys.revoke')}
                        accessibleName={t('apiKeys.revokeNamed', { name: k.name })}
                        confirm={t('apiKeys.confirmRevoke', { name: k.name })}
                        variant="danger"
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
