import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { CatalogTabs } from '@/components/catalog-tabs';
import { ActionForm, SubmitButton } from '@/components/form';
import { PackFields } from '@/components/pack-fields';
import { Badge, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { createPack } from '@/server/actions/catalog';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { can, getTenant } from '@/server/queries';
import type { BillableService, Pack } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('packs.title') };
}

export default async function PacksPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [packs, definitions, tenant, canWrite] = await Promise.all([
    apiGet<{ items: Pack[] }>('/v1/packs'),
    apiGet<{ items: BillableService[] }>('/v1/billable-services'),
    getTenant(),
    can('catalog:write'),
  ]);
  return (
    <>
      <PageHeader title={t('catalog.title')} description={t('packs.description')} />
      <CatalogTabs current="packs" />
      <Section title={t('packs.listTitle')} id="packs">
        {packs.items.length === 0 ? (
          <EmptyState>{t('packs.empty')}</EmptyState>
        ) : (
          <Table caption={t('packs.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('packs.name')}</th>
                <th scope="col">{t('packs.flags')}</th>
                <th scope="col" className="num">
                  {t('packs.rates')}
                </th>
              </tr>
            </thead>
            <tbody>
              {packs.items.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link href={`/admin/catalog/packs/${p.id}`}>{p.name}</Link>
                    {p.description && <div className="muted">{p.description}</div>}
                  </th>
                  <td>
                    <span className="badges">
                      {p.isDefault ? <Badge tone="info">{t('packs.default')}</Badge> : <Badge>{t('packs.contracted')}</Badge>}
                      {p.isCombinable && <Badge>{t('packs.combinable')}</Badge>}
                      {p.allowMultiple && <Badge>{t('packs.multiple')}</Badge>}
                    </span>
                  </td>
                  <td className="num">{fmt.number(p.rates.length)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
      {canWrite && (
        <Section title={t('packs.createTitle')} id="new-pack">
          <ActionForm action={createPack} aria-labelledby="new-pack-title">
            <PackFields definitions={definitions.items} currency={tenant.currency} />
            <div className="form-actions">
              <SubmitButton>{t('packs.create')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
    </>
  );
}
