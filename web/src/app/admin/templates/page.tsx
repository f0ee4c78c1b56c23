import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { Badge, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import type { BackendTemplatesView } from './types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('templates.title') };
}

/** Every backend's template files, with the tenant's overrides marked. */
export default async function TemplatesPage() {
  const { t } = await getI18n();
  const { items } = await apiGet<{ items: BackendTemplatesView[] }>('/v1/provisioning/templates');
  return (
    <>
      <PageHeader title={t('templates.title')} description={t('templates.description')} />
      <Section title={t('templates.backends')} id="backends">
        <Table caption={t('templates.backends')}>
          <thead>
            <tr>
              <th scope="col">{t('templates.backend')}</th>
              <th scope="col">{t('templates.file')}</th>
              <th scope="col">{t('templates.role')}</th>
              <th scope="col">{t('templates.status')}</th>
            </tr>
          </thead>
          <tbody>
            {items.flatMap((b) =>
              b.files.map((f, i) => (
                <tr key={`${b.id}/${f.name}`}>
                  {i === 0 ? (
                    <th scope="rowgroup" rowSpan={b.files.length}>
                      {b.label}
                      <br />
                      <code>{b.id}</code>
                    </th>
                  ) : null}
                  <td>
                    <Link href={`/admin/templates/${b.id}/${f.name}`}>{f.name}</Link>
                  </td>
                  <td>{t(`templates.roles.${f.role}`)}</td>
                  <td>
                    {f.overridden ? (
                      <Badge tone="info">{t('templates.overridden', { version: f.activeVersion ?? 0 })}</Badge>
                    ) : (
                      <Badge>{t('templates.default')}</Badge>
                    )}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </Table>
      </Section>
    </>
  );
}
