// Staff: how much an account's customers may create themselves (admin account page).
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { updateAccountLimits } from '@/server/actions/services';
import { getServiceTypes } from '@/server/services';
import type { Account } from '@/server/types';

export async function AccountLimits({ account, canEdit }: { account: Account; canEdit: boolean }) {
  const { t } = await getI18n();
  // Only kinds customers may create can be limited; the list comes from the customer permissions of each type.
  const kinds = (await getServiceTypes()).filter((ty) => ty.customer.create);
  const limits = account.limits;
  return (
    <Section title={t('selfService.limitsTitle')} id="limits" description={t('selfService.limitsDescription')}>
      <ActionForm
        action={updateAccountLimits.bind(
          null,
          account.id,
          kinds.map((k) => k.kind),
        )}
        aria-labelledby="limits-title"
        successMessage={t('selfService.limitsSaved')}
      >
        <div className="form-grid">
          {kinds.map((k) => (
            <Field
              key={k.kind}
              name={`limit.${k.kind}`}
              label={k.label}
              type="number"
              min={0}
              inputMode="numeric"
              disabled={!canEdit}
              defaultValue={limits?.services?.[k.kind]}
            />
          ))}
          <Field
            name="mailboxQuotaMb"
            label={t('selfService.mailboxQuota')}
            hint={t('selfService.mailboxQuotaHint')}
            type="number"
            min={1}
            inputMode="numeric"
            disabled={!canEdit}
            defaultValue={limits?.mailboxQuotaMb}
          />
        </div>
        {canEdit && (
          <div className="form-actions">
            <SubmitButton>{t('selfService.saveLimits')}</SubmitButton>
          </div>
        )}
      </ActionForm>
    </Section>
  );
}
