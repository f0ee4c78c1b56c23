import type { Metadata } from 'next';
import { ActionForm, Field, SelectField, SubmitButton, TextAreaField } from '@/components/form';
import { DescriptionList, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { formatRecordLines } from '@/lib/zone-lines';
import { createStaffUser, updateDnsDefaults, updateProfile, updateTenant } from '@/server/actions/settings';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { countryName, localeOptions, timeZoneOptions } from '@/server/options';
import { getMe, getTenant } from '@/server/queries';
import type { Page, StaffRole, User } from '@/server/types';

const STAFF_ROLES: StaffRole[] = ['owner', 'admin', 'sysadmin', 'support', 'accountant'];

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('settings.title') };
}

export default async function SettingsPage() {
  const { locale, t } = await getI18n();
  const fmt = await getFormat();
  const [tenant, me] = await Promise.all([getTenant(), getMe()]);
  const users = me.permissions.includes('users:manage') ? await apiGet<Page<User>>('/v1/users', { limit: 200 }) : undefined;
  const staff = users?.items.filter((u) => u.role !== 'customer') ?? [];
  const dns = tenant.settings.dns;
  return (
    <>
      <PageHeader title={t('settings.title')} description={t('settings.description')} />

      <Section title={t('settings.organisationTitle')} id="organisation">
        <DescriptionList
          items={[
            [
              t('settings.slug'),
              <span key="slug" className="mono">
                {tenant.slug}
              </span>,
            ],
            [t('fields.country'), countryName(locale, tenant.country)],
            [t('signup.currency'), tenant.currency],
            [t('common.created'), fmt.date(tenant.createdAt)],
          ]}
        />
        <ActionForm action={updateTenant} aria-label={t('settings.organisationTitle')} style={{ marginTop: '1rem' }}>
          <div className="form-grid">
            <Field name="name" label={t('signup.organisation')} required maxLength={120} defaultValue={tenant.name} />
            <SelectField
              name="locale"
              label={t('settings.locale')}
              hint={t('settings.localeHint')}
              required
              options={localeOptions()}
              defaultValue={tenant.locale}
            />
            <SelectField name="timeZone" label={t('signup.timeZone')} required options={timeZoneOptions()} defaultValue={tenant.timeZone} />
          </div>
          <div className="form-actions">
            <SubmitButton>{t('common.saveChanges')}</SubmitButton>
          </div>
        </ActionForm>
      </Section>

      <Section title={t('settings.dnsTitle')} id="dns" description={t('settings.dnsDescription')}>
        <ActionForm action={updateDnsDefaults} aria-label={t('settings.dnsTitle')}>
          <div className="form-grid">
            <TextAreaField
              name="nameservers"
              label={t('settings.nameservers')}
              hint={t('settings.nameserversHint')}
              required
              rows={3}
              spellCheck={false}
              defaultValue={dns.nameservers.join('\n')}
            />
            <div className="form">
              <Field
                name="hostmaster"
                type="email"
                label={t('settings.hostmaster')}
                hint={t('settings.hostmasterHint')}
                required
                defaultValue={dns.hostmaster}
              />
              <Field
                name="ttl"
                type="number"
                label={t('settings.ttl')}
                hint={t('settings.ttlHint')}
                required
                min={60}
                max={604800}
                defaultValue={String(dns.ttl)}
              />
            </div>
          </div>
          <TextAreaField
            name="defaultRecords"
            label={t('settings.defaultRecords')}
            hint={t('settings.defaultRecordsHint')}
            rows={5}
            spellCheck={false}
            defaultValue={formatRecordLines(dns.defaultRecords)}
          />
          <div className="form-actions">
            <SubmitButton>{t('common.saveChanges')}</SubmitButton>
          </div>
        </ActionForm>
      </Section>

      <Section title={t('settings.profileTitle')} id="profile">
        <ActionForm action={updateProfile} aria-label={t('settings.profileTitle')}>
          <div className="form-grid">
            <Field name="name" label={t('fields.name')} required maxLength={120} defaultValue={me.user.name} autoComplete="name" />
          </div>
          <p className="field-hint">{t('settings.profileHint', { email: me.user.email })}</p>
          <div className="form-actions">
            <SubmitButton>{t('common.saveChanges')}</SubmitButton>
          </div>
        </ActionForm>
      </Section>

      {users && (
        <Section title={t('team.title')} id="team" description={t('team.description')}>
          {staff.length === 0 ? (
            <EmptyState>{t('team.empty')}</EmptyState>
          ) : (
            <Table caption={t('team.title')}>
              <thead>
                <tr>
                  <th scope="col">{t('fields.name')}</th>
                  <th scope="col">{t('fields.email')}</th>
                  <th scope="col">{t('team.role')}</th>
                  <th scope="col">{t('common.created')}</th>
                </tr>
              </thead>
              <tbody>
                {staff.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">{u.name}</th>
                    <td>{u.email}</td>
                    <td>{t(`roles.${u.role}`)}</td>
                    <td>{fmt.date(u.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <details className="disclosure" style={{ marginTop: '1rem' }}>
            <summary>{t('team.createTitle')}</summary>
            <ActionForm action={createStaffUser} aria-label={t('team.createTitle')}>
              <div className="form-grid">
                <Field name="name" label={t('fields.name')} required maxLength={120} />
                <Field name="email" type="email" label={t('fields.email')} required autoComplete="off" />
                <SelectField
                  name="role"
                  label={t('team.role')}
                  required
                  options={STAFF_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                  defaultValue="support"
                />
                <SelectField name="locale" label={t('fields.language')} options={localeOptions()} defaultValue={tenant.locale} />
                <Field
                  name="password"
                  type="password"
                  label={t('fields.password')}
                  hint={t('signup.passwordHint')}
                  required
                  minLength={12}
                  autoComplete="new-password"
                />
              </div>
              <div className="form-actions">
                <SubmitButton>{t('team.create')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        </Section>
      )}
    </>
  );
}
