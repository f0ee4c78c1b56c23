import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionForm, Field, SelectField, SubmitButton, TextAreaField } from '@/components/form';
import { Badge, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { startRollout } from '@/server/actions/rollouts';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { Page, ServiceKind } from '@/server/types';
import type { RolloutView } from './types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('rollouts.title') };
}

const TONES = { running: 'info', completed: 'success', stopped: 'danger' } as const;

export default async function RolloutsPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [rollouts, kinds, canWrite] = await Promise.all([
    apiGet<Page<RolloutView>>('/v1/rollouts', { limit: 50 }),
    apiGet<{ items: ServiceKind[] }>('/v1/service-kinds'),
    can('hosts:write'),
  ]);
  const kindOptions = kinds.items.filter((k) => k.backends.length > 0).map((k) => ({ value: k.kind, label: k.label }));
  return (
    <>
      <PageHeader title={t('rollouts.title')} description={t('rollouts.description')} />
      {canWrite && (
        <Section title={t('rollouts.createTitle')} id="new">
          <ActionForm action={startRollout} aria-label={t('rollouts.createTitle')}>
            <div className="form-grid">
              <SelectField name="kind" label={t('rollouts.kind')} required options={kindOptions} defaultValue={kindOptions[0]?.value} />
              <Field name="maxConcurrency" type="number" min={1} max={100} label={t('rollouts.maxConcurrency')} defaultValue="5" required />
              <Field
                name="errorThreshold"
                label={t('rollouts.errorThreshold')}
                hint={t('rollouts.errorThresholdHint')}
                defaultValue="0"
                required
              />
            </div>
            <TextAreaField
              name="filter"
              label={t('rollouts.filter')}
              hint={t('rollouts.filterHint')}
              rows={3}
              className="mono"
              spellCheck={false}
            />
            <div className="form-actions">
              <SubmitButton>{t('rollouts.start')}</SubmitButton>
              {/* The dry run is a plain GET page: it renders the scripts and stores nothing. */}
              <SubmitButton formAction="/admin/rollouts/dry-run" formMethod="get" variant="secondary">
                {t('rollouts.dryRun')}
              </SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
      <Section title={t('rollouts.title')} id="list">
        {rollouts.items.length === 0 ? (
          <EmptyState>{t('rollouts.empty')}</EmptyState>
        ) : (
          <Table caption={t('rollouts.title')}>
            <thead>
              <tr>
                <th scope="col">{t('rollouts.created')}</th>
                <th scope="col">{t('rollouts.kind')}</th>
                <th scope="col">{t('rollouts.state')}</th>
                <th scope="col">{t('rollouts.progress')}</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link href={`/admin/rollouts/${r.id}`}>{fmt.dateTime(r.createdAt)}</Link>
                  </th>
                  <td>{r.kind}</td>
                  <td>
                    <Badge tone={TONES[r.state]}>{t(`rollouts.states.${r.state}`)}</Badge>
                  </td>
                  <td>{t('rollouts.progressText', r.progress.services)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
