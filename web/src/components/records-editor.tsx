// A domain's records: a table with edit/remove per record and a form to add or edit one. Used by the staff
// domain page and the member portal. Edit state lives in the URL (`?edit=3`), so it needs no JavaScript.
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { ActionForm, SubmitButton } from '@/components/form';
import { RecordFields, type RecordLabels } from '@/components/record-fields';
import { EmptyState, Section, Table } from '@/components/ui';
import type { Translate } from '@/i18n';
import { getI18n } from '@/i18n/server';
import { recordData, RECORD_TYPES } from '@/lib/zone-lines';
import { removeRecord, saveRecord } from '@/server/actions/domains';
import type { DnsRecordInput, DomainService } from '@/server/types';

function recordLabels(t: Translate): RecordLabels {
  return {
    type: t('records.type'),
    name: t('records.name'),
    nameHint: t('records.nameHint'),
    ttl: t('records.ttl'),
    ttlHint: t('records.ttlHint'),
    value: t('records.value'),
    valueHints: Object.fromEntries(RECORD_TYPES.map((type) => [type, t(`records.valueHints.${type}`)])) as RecordLabels['valueHints'],
    priority: t('records.priority'),
    weight: t('records.weight'),
    port: t('records.port'),
    flags: t('records.flags'),
    tag: t('records.tag'),
    onlyFor: t('records.onlyFor'),
  };
}

export async function RecordsEditor({
  service,
  scope,
  editIndex,
  canEdit,
  defaultTtl,
}: {
  service: DomainService;
  scope: 'admin' | 'portal';
  editIndex?: number;
  canEdit: boolean;
  defaultTtl?: number;
}) {
  const { t } = await getI18n();
  const records = (service.spec.records ?? []) as DnsRecordInput[];
  const base = `/${scope}/domains/${service.id}`;
  const editing = editIndex !== undefined && records[editIndex] ? editIndex : undefined;
  const edited = editing !== undefined ? records[editing] : undefined;
  const labels = recordLabels(t);
  const editable = canEdit && service.state !== 'deleting' && service.state !== 'deleted';
  const ttl = service.spec.ttl ?? defaultTtl;

  return (
    <Section title={t('records.title')} id="records" description={ttl ? t('records.zoneTtl', { ttl }) : undefined}>
      {records.length === 0 ? (
        <EmptyState>{t('records.empty')}</EmptyState>
      ) : (
        <Table caption={t('records.tableCaption', { domain: service.name })}>
          <thead>
            <tr>
              <th scope="col">{t('records.name')}</th>
              <th scope="col">{t('records.type')}</th>
              <th scope="col">{t('records.ttl')}</th>
              <th scope="col">{t('records.data')}</th>
              {editable && (
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {records.map((r, i) => {
              const described = `${r.name} ${r.type} ${recordData(r)}`;
              return (
                <tr key={`${i}-${described}`} aria-current={i === editing ? 'true' : undefined}>
                  <th scope="row" className="mono">
                    {r.name}
                  </th>
                  <td>{r.type}</td>
                  <td>{r.ttl ?? <span className="muted">{t('records.defaultTtl')}</span>}</td>
                  <td className="mono">{recordData(r)}</td>
                  {editable && (
                    <td className="actions">
                      <Link
                        className="button button-secondary button-small"
                        href={`${base}?edit=${i}#record-form`}
                        aria-label={t('records.editNamed', { record: described })}
                      >
                        {t('common.edit')}
                      </Link>
                      <ActionButton
                        action={removeRecord.bind(null, scope, service.id)}
                        hidden={{ index: String(i), version: String(service.version) }}
                        label={t('common.remove')}
                        accessibleName={t('records.removeNamed', { record: described })}
                        confirm={t('records.confirmRemove', { record: described })}
                        variant="danger"
                      />
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
      {editable && (
        <div id="record-form" style={{ marginTop: '1.25rem' }}>
          <h3 id="record-form-title">{edited ? t('records.editTitle') : t('records.addTitle')}</h3>
          <ActionForm key={editing ?? 'new'} action={saveRecord.bind(null, scope, service.id)} aria-labelledby="record-form-title">
            <input type="hidden" name="index" value={editing ?? ''} />
            <input type="hidden" name="version" value={service.version} />
            <RecordFields labels={labels} defaults={edited ? { ...edited } : {}} />
            <div className="form-actions">
              <SubmitButton>{edited ? t('records.save') : t('records.add')}</SubmitButton>
              {edited && (
                <Link className="button button-secondary" href={base}>
                  {t('common.cancel')}
                </Link>
              )}
            </div>
          </ActionForm>
        </div>
      )}
    </Section>
  );
}
