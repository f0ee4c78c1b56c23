// An account's SEPA mandates (member portal and the staff account page): reference, holder, IBAN, signature, status,
// last collection, and Revoke while a mandate is active.
import { ActionButton } from '@/components/action-button';
import { Badge, EmptyState, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { revokeMandate } from '@/server/actions/mandates';
import { getFormat } from '@/server/format';
import type { Mandate, MandateStatus } from '@consort/shared/payments/mandates';

/** `GET /v1/accounts/{id}/mandates` */
export interface MandateList {
  items: (Mandate & { effectiveStatus: MandateStatus })[];
  creditor: { name: string; id: string } | null;
}

const TONE = { active: 'success', revoked: 'neutral', lapsed: 'warning', invalid: 'danger' } as const;

/** "ES91 ···· 1332": enough to recognise an account without showing all of it. */
export function maskedIban(iban: string): string {
  return `${iban.slice(0, 4)} ···· ${iban.slice(-4)}`;
}

export async function MandatesTable({
  accountId,
  mandates,
  canRevoke,
  back,
  creditorName,
}: {
  accountId: string;
  mandates: MandateList['items'];
  canRevoke: boolean;
  /** The page to refresh after a revocation. */
  back: string;
  creditorName: string;
}) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  if (mandates.length === 0) return <EmptyState>{t('mandates.empty')}</EmptyState>;
  return (
    <Table caption={t('mandates.title')}>
      <thead>
        <tr>
          <th scope="col">{t('mandates.reference')}</th>
          <th scope="col">{t('mandates.holder')}</th>
          <th scope="col">{t('mandates.iban')}</th>
          <th scope="col">{t('mandates.signedOn')}</th>
          <th scope="col">{t('mandates.status')}</th>
          <th scope="col">{t('mandates.lastCollection')}</th>
          {canRevoke && (
            <th scope="col">
              <span className="visually-hidden">{t('common.actions')}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {mandates.map((m) => (
          <tr key={m.id}>
            <th scope="row" className="mono">
              {m.reference}
            </th>
            <td>{m.debtor.name}</td>
            <td className="mono">{maskedIban(m.debtor.iban)}</td>
            <td>
              {fmt.day(m.signedOn)} · {t(`mandates.channels.${m.signature?.channel ?? 'paper'}`)}
            </td>
            <td>
              <Badge tone={TONE[m.effectiveStatus]}>{t(`mandates.statuses.${m.effectiveStatus}`)}</Badge>
            </td>
            <td>{m.lastCollectionOn ? fmt.day(m.lastCollectionOn) : <span className="muted">{t('mandates.never')}</span>}</td>
            {canRevoke && (
              <td className="actions">
                {m.status === 'active' && (
                  <ActionButton
                    action={revokeMandate.bind(null, accountId, m.id, back)}
                    label={t('mandates.revoke')}
                    accessibleName={t('mandates.revokeNamed', { reference: m.reference })}
                    confirm={t('mandates.revokeConfirm', { reference: m.reference, creditor: creditorName })}
                    variant="danger"
                  />
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
