import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { CatalogTabs } from '@/components/catalog-tabs';
import { ActionForm, SubmitButton } from '@/components/form';
import { PackFields } from '@/components/pack-fields';
import { DescriptionList, EmptyState, Notice, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { deletePack, updatePack } from '@/server/actions/catalog';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { can, getTenant } from '@/server/queries';
import type { BillableService, Pack } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const pack = await apiGet<Pack>(`/v1/packs/${encodeURIComponent(id)}`);
  return { title: pack.name };
}

export default async function PackPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [pack, definitions, tenant, canWrite] = await Promise.all([
    apiGet<Pack>(`/v1/packs/${encodeURIComponent(id)}`),
    apiGet<{ items: BillableService[] }>('/v1/billable-services'),
    getTenant(),
    can('catalog:write'),
  ]);
  const definitionName = new Map(definitions.items.map((d) => [d.id, d.name]));
  const yesNo = (b: boolean) => (b ? t('common.yes') : t('common.no'));
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/catalog/packs">← {t('packs.title')}</Link>
      </p>
      <PageHeader title={pack.name} description={pack.description || t('packs.description')} />
      <CatalogTabs current="packs" />
      {query.created && (
        <Notice tone="success" role="status">
          <p>{t('packs.created', { name: pack.name })}</p>
        </Notice>
      )}
      <Section title={t('packs.detailsTitle')} id="pack">
        <DescriptionList
          items={[
            [t('packs.isDefault'), yesNo(pack.isDefault)],
            [t('packs.isCombinable'), yesNo(pack.isCombinable)],
            [t('packs.allowMultiple'), yesNo(pack.allowMultiple)],
            [t('common.created'), fmt.dateTime(pack.createdAt)],
            [t('common.updated'), fmt.dateTime(pack.updatedAt)],
          ]}
        />
        <h3 className="subsection-title">{t('packs.rates')}</h3>
        {pack.rates.length === 0 ? (
          <EmptyState>{t('packs.noRates')}</EmptyState>
        ) : (
          <Table caption={t('packs.ratesTable', { name: pack.name })}>
            <thead>
              <tr>
                <th scope="col">{t('packs.rateService')}</th>
                <th scope="col" className="num">
                  {t('packs.rateFrom')}
                </th>
                <th scope="col" className="num">
                  {t('packs.ratePrice')}
                </th>
              </tr>
            </thead>
            <tbody>
              {pack.rates.map((r, i) => (
                <tr key={`${r.billableServiceId}-${r.from}-${i}`}>
                  <th scope="row">
                    {definitionName.has(r.billableServiceId) ? (
                      <Link href={`/admin/catalog/${r.billableServiceId}`}>{definitionName.get(r.billableServiceId)}</Link>
                    ) : (
                      <span className="mono">{r.billableServiceId}</span>
                    )}
                  </th>
                  <td className="num">{fmt.number(r.from)}</td>
                  <td className="num">{fmt.money(r.price, tenant.currency)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canWrite && (
          <details className="disclosure" style={{ marginTop: '1rem' }}>
            <summary>{t('packs.editTitle')}</summary>
            <ActionForm action={updatePack.bind(null, pack.id)} aria-label={t('packs.editTitle')}>
              <PackFields pack={pack} definitions={definitions.items} currency={tenant.currency} />
              <div className="form-actions">
                <SubmitButton>{t('common.saveChanges')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>
      {canWrite && (
        <Section title={t('packs.dangerTitle')} id="danger" description={t('packs.deleteHint')}>
          <ActionButton
            action={deletePack.bind(null, pack.id)}
            label={t('packs.delete')}
            confirm={t('packs.confirmDelete', { name: pack.name })}
            variant="danger"
          />
        </Section>
      )}
    </>
  );
}
