// One service's page in either portal: details, the generated change form (only the fields the caller may
// set), disable/enable, the mailbox's vacation reply and addresses, the latest operations (staff) and delete.
import { ActionButton } from '@/components/action-button';
import { ActionForm, SubmitButton } from '@/components/form';
import { Link } from '@/components/link';
import { ServiceOperations } from '@/components/service-operations';
import { ServiceFormFields } from '@/components/service-form-fields';
import { DescriptionList, EmptyState, Notice, PageHeader, Section, StateBadge } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { editableFields, initialValues } from '@/lib/service-form';
import { deleteService, setServiceDisabled, updateService } from '@/server/actions/services';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import { getServiceType, referenceChoices } from '@/server/services';
import type { Account, Operation, Page, Service } from '@/server/types';

type Scope = 'admin' | 'portal';
type Query = Record<string, string | string[] | undefined>;

const display = (value: unknown) =>
  value === undefined || value === null || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** The mailbox's vacation reply and the addresses delivering to it (same account), for links from its page. */
async function mailboxRelations(service: Service) {
  const [replies, addresses] = await Promise.all([
    apiGet<Page<Service>>('/v1/services', { kind: 'autoresponse', accountId: service.accountId, limit: 200 }),
    apiGet<Page<Service>>('/v1/services', { kind: 'mailaddress', accountId: service.accountId, limit: 200 }),
  ]);
  const live = (s: Service) => s.state !== 'deleted' && s.state !== 'deleting';
  return {
    reply: replies.items.filter(live).find((s) => s.spec.mailbox === service.name),
    addresses: addresses.items.filter(live).filter((s) => Array.isArray(s.spec.mailboxes) && s.spec.mailboxes.includes(service.name)),
  };
}

export async function ServiceDetail({ scope, service, query }: { scope: Scope; service: Service; query: Query }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const type = await getServiceType(service.kind);
  const base = `/${scope}/services`;
  const gone = service.state === 'deleting' || service.state === 'deleted';
  const permissions = type?.permissions ?? { create: false, change: false, delete: false, fields: [] };
  const fields = type ? editableFields(type.form, 'change') : [];
  const identity = type?.form.fields.filter((f) => f.identity) ?? [];
  const hasDisabled = permissions.fields.includes('disabled') && 'disabled' in service.spec;
  const [account, operations, choices, relations] = await Promise.all([
    scope === 'admin' && has('accounts:read')
      ? apiGet<Account>(`/v1/accounts/${encodeURIComponent(service.accountId)}`).catch(() => undefined)
      : undefined,
    scope === 'admin' && has('operations:read')
      ? apiGet<Page<Operation>>('/v1/operations', { serviceId: service.id, limit: 10 })
      : undefined,
    permissions.change && !gone ? referenceChoices(fields, service.accountId, service.spec) : {},
    service.kind === 'mailbox' && !gone ? mailboxRelations(service) : undefined,
  ]);
  const labels = { choose: t('selfService.choose'), noChoices: t('selfService.noChoices'), keepSecret: t('selfService.keepSecret') };
  const kindLabel = type?.label ?? service.kind;
  const newLink = (kind: string, field: string, value: string) =>
    `${base}/new?kind=${kind}&${encodeURIComponent(`spec.${field}`)}=${encodeURIComponent(value)}`;
  const canCreate = async (kind: string) => (await getServiceType(kind))?.permissions.create ?? false;

  return (
    <>
      <p className="breadcrumb">
        <Link href={base}>← {scope === 'admin' ? t('selfService.adminTitle') : t('selfService.portalTitle')}</Link>
      </p>
      <PageHeader title={service.name} description={kindLabel} actions={<StateBadge state={service.state} />} />
      {query.created && (
        <Notice tone="success" role="status">
          {t('selfService.created')}
        </Notice>
      )}
      {query.saved && (
        <Notice tone="success" role="status">
          {t('selfService.saved')}
        </Notice>
      )}
      {query.deleted && (
        <Notice tone="info" role="status">
          {t('selfService.deletedNote')}
        </Notice>
      )}

      <Section title={t('selfService.detailsTitle')} id="details">
        <DescriptionList
          items={[
            ...(scope === 'admin'
              ? [
                  [
                    t('selfService.account'),
                    account ? <Link href={`/admin/accounts/${account.id}`}>{account.name}</Link> : service.accountId,
                  ] as [string, React.ReactNode],
                ]
              : []),
            [t('selfService.kind'), kindLabel],
            ...identity.map((f) => [f.label, display(service.spec[f.name])] as [string, React.ReactNode]),
            [t('services.state'), <StateBadge key="state" state={service.state} />],
            ...('disabled' in service.spec
              ? [[t('selfService.disabledState'), service.spec.disabled ? t('common.yes') : t('common.no')] as [string, React.ReactNode]]
              : []),
            [t('selfService.version'), fmt.number(service.version)],
            [t('common.created'), fmt.dateTime(service.createdAt)],
            [t('common.updated'), fmt.dateTime(service.updatedAt)],
          ]}
        />
        {service.kind === 'domain' && <Link href={`/${scope}/domains/${service.id}`}>{t('selfService.recordsLink')}</Link>}
      </Section>

      {relations && (
        <Section title={t('selfService.related')} id="related">
          <h3>{t('selfService.vacationReply')}</h3>
          {relations.reply ? (
            <p>
              <Link href={`${base}/${relations.reply.id}`}>{t('selfService.editVacation')}</Link>{' '}
              {relations.reply.spec.disabled ? `(${t('selfService.disabledState')})` : ''}
            </p>
          ) : (await canCreate('autoresponse')) ? (
            <p>
              <Link href={newLink('autoresponse', 'mailbox', service.name)}>{t('selfService.setVacation')}</Link>
            </p>
          ) : (
            <EmptyState>{t('selfService.groupEmpty')}</EmptyState>
          )}
          <h3>{t('selfService.forwards')}</h3>
          {relations.addresses.length > 0 ? (
            <ul>
              {relations.addresses.map((a) => (
                <li key={a.id}>
                  <Link href={`${base}/${a.id}`}>{a.name}</Link>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState>{t('selfService.groupEmpty')}</EmptyState>
          )}
          {(await canCreate('mailaddress')) && (
            <p>
              <Link href={newLink('mailaddress', 'mailboxes', service.name)}>{t('selfService.addAddress')}</Link>
            </p>
          )}
        </Section>
      )}

      {!gone && (
        <Section title={t('selfService.changeTitle')} id="change">
          {permissions.change && fields.length > 0 ? (
            <ActionForm action={updateService.bind(null, scope, service.id)} aria-labelledby="change-title">
              <ServiceFormFields
                fields={fields}
                values={initialValues(type!.form, service.spec)}
                choices={choices}
                labels={labels}
                isChange
              />
              <div className="form-actions">
                <SubmitButton>{t('common.saveChanges')}</SubmitButton>
              </div>
            </ActionForm>
          ) : (
            <EmptyState>{t('selfService.noChange')}</EmptyState>
          )}
          {permissions.change && hasDisabled && (
            <ActionButton
              action={setServiceDisabled.bind(null, scope, service.id, !service.spec.disabled)}
              label={service.spec.disabled ? t('selfService.enable') : t('selfService.disable')}
              accessibleName={`${service.spec.disabled ? t('selfService.enable') : t('selfService.disable')} ${service.name}`}
            />
          )}
        </Section>
      )}

      {operations && <ServiceOperations serviceId={service.id} operations={operations} title={t('selfService.operationsTitle')} />}

      {permissions.delete && !gone && (
        <Section title={t('selfService.dangerTitle')} id="danger" description={t('selfService.deleteHint')}>
          <ActionButton
            action={deleteService.bind(null, scope, service.id)}
            label={t('selfService.delete')}
            confirm={t('selfService.confirmDelete', { name: service.name })}
            variant="danger"
          />
        </Section>
      )}
    </>
  );
}
