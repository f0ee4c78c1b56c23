import type { Metadata } from 'next';
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { DiffView } from '@/components/diff-view';
import { Link } from '@/components/link';
import { TemplateEditor } from '@/components/template-editor';
import { Badge, Notice, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { revertTemplate } from '@/server/actions/templates';
import { getFormat } from '@/server/format';
import type { Page, Service } from '@/server/types';
import type { TemplateView } from '../../types';

type Params = Promise<{ backend: string; file: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { file } = await params;
  const { t } = await getI18n();
  return { title: `${decodeURIComponent(file)} · ${t('templates.title')}` };
}

/** One template: editor with preview and save, the version history, a diff against the default, revert. */
export default async function TemplatePage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { backend, file } = await params;
  const q = await searchParams;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const base = `/v1/provisioning/templates/${encodeURIComponent(decodeURIComponent(backend))}/${encodeURIComponent(decodeURIComponent(file))}`;
  const template = await apiGet<TemplateView>(base);
  const selected = typeof q.version === 'string' && /^\d+$/.test(q.version) ? q.version : undefined;
  const [services, diff] = await Promise.all([
    apiGet<Page<Service>>('/v1/services', { kind: template.backend.kind, limit: 100 }),
    apiGet<{ version: number | null; diff: string }>(`${base}/diff`, selected ? { version: selected } : undefined),
  ]);
  const serviceOptions = services.items
    .filter((s) => s.state !== 'deleted' && s.state !== 'deleting')
    .map((s) => ({ value: s.id, label: s.name }));
  const id = template.backend.id;
  const name = template.file.name;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/templates">← {t('templates.back')}</Link>
      </p>
      <PageHeader
        title={`${template.backend.label}: ${name}`}
        description={`${template.file.path} · ${t(`templates.roles.${template.file.role}`)} · ${t(`templates.modes.${template.file.mode}`)}`}
        actions={
          template.active ? <Badge tone="info">{t('templates.overridden', { version: template.active.version })}</Badge> : <Badge>{t('templates.default')}</Badge>
        }
      />
      {template.file.sharedWith.length > 1 && <Notice tone="info">{t('templates.sharedWith', { backends: template.file.sharedWith.join(', ') })}</Notice>}
      {q.reverted === '1' && !template.active && (
        <Notice tone="success" role="status">
          {t('templates.reverted')}
        </Notice>
      )}
      <Section title={t('templates.editor')} id="editor">
        {/* A revert comes back here with ?reverted=1: a new key remounts the editor on the default text. (After a save the
            form's own reset shows the new text and keeps the success message.) */}
        <TemplateEditor
          key={q.reverted === '1' ? `reverted-${template.versions[0]?.version ?? 0}` : 'editor'}
          backend={id}
          file={name}
          initialText={template.active?.text ?? template.defaultText}
          services={serviceOptions}
          labels={{
            form: t('templates.editor'),
            text: t('templates.text'),
            textHint: t('templates.textHint'),
            service: t('templates.previewService'),
            noServices: t('templates.noServices'),
            comment: t('templates.comment'),
            preview: t('templates.preview'),
            save: t('templates.save'),
            errorTitle: t('client.errorTitle'),
            previewTitle: t('templates.previewTitle'),
            previewErrors: t('templates.previewErrors'),
            renderedOn: t('templates.renderedOn'),
            diffTitle: t('templates.diffTitle'),
            noDiff: t('templates.noDiff'),
          }}
        />
      </Section>
      <Section
        title={diff.version ? t('templates.diffOf', { version: diff.version }) : t('templates.diffTitle')}
        id="diff"
        description={t('templates.diffDescription')}
      >
        <DiffView diff={diff.diff} empty={t('templates.noDiff')} />
      </Section>
      <Section title={t('templates.versions')} id="versions">
        {template.versions.length === 0 ? (
          <p className="empty">{t('templates.noVersions')}</p>
        ) : (
          <Table caption={t('templates.versions')}>
            <thead>
              <tr>
                <th scope="col">{t('templates.version')}</th>
                <th scope="col">{t('templates.date')}</th>
                <th scope="col">{t('templates.author')}</th>
                <th scope="col">{t('templates.comment')}</th>
                <th scope="col">{t('templates.status')}</th>
              </tr>
            </thead>
            <tbody>
              {template.versions.map((v, i) => (
                <tr key={v.version}>
                  <th scope="row">
                    <Link href={`/admin/templates/${id}/${name}?version=${v.version}#diff`}>v{v.version}</Link>
                  </th>
                  <td>{fmt.dateTime(v.createdAt)}</td>
                  <td>{v.author}</td>
                  <td>{v.comment ?? ''}</td>
                  <td>
                    {v.removed ? t('templates.restored') : i === 0 ? <Badge tone="success">{t('templates.active')}</Badge> : t('templates.superseded')}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
      {template.active && (
        <Section title={t('templates.revert')} id="revert" description={t('templates.revertHint')}>
          <ActionForm action={revertTemplate.bind(null, id, name)} aria-label={t('templates.revert')}>
            <Field name="comment" label={t('templates.comment')} maxLength={500} />
            <div className="form-actions">
              <SubmitButton variant="danger">{t('templates.revert')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
      <Section title={t('templates.defaultText')} id="default">
        <details className="disclosure">
          <summary>{template.file.path}</summary>
          <pre className="log">{template.defaultText}</pre>
        </details>
      </Section>
    </>
  );
}
