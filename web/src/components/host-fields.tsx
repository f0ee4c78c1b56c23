// The fields of a host, shared by the create and edit forms.
import { Field, SelectField, TextAreaField } from '@/components/form';
import { getI18n } from '@/i18n/server';
import type { Host, ServiceKind } from '@/server/types';

/** `key=value` lines of a host's config overrides. */
export function configLines(config: Record<string, string> | undefined): string {
  return Object.entries(config ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export async function HostFields({ host, kinds }: { host?: Host; kinds: ServiceKind[] }) {
  const { t } = await getI18n();
  const defaults = kinds.flatMap((k) => k.backends.flatMap((b) => Object.entries(b.config).map(([key, value]) => `${key}=${value}`)));
  return (
    <div className="form-grid">
      <Field name="name" label={t('hosts.name')} hint={t('hosts.nameHint')} required maxLength={100} defaultValue={host?.name} />
      <Field
        name="address"
        label={t('hosts.address')}
        hint={t('hosts.addressHint')}
        required
        autoCapitalize="none"
        spellCheck={false}
        defaultValue={host?.address}
      />
      <Field name="port" type="number" label={t('hosts.port')} min={1} max={65535} required defaultValue={String(host?.port ?? 22)} />
      <Field
        name="username"
        label={t('hosts.username')}
        required
        autoCapitalize="none"
        spellCheck={false}
        defaultValue={host?.username ?? 'root'}
      />
      <SelectField
        name="transport"
        label={t('hosts.transport')}
        hint={t('hosts.transportHint')}
        required
        options={[
          { value: 'ssh', label: t('hosts.transports.ssh') },
          { value: 'local', label: t('hosts.transports.local') },
          { value: 'ssm', label: t('hosts.transports.ssm') },
        ]}
        defaultValue={host?.transport ?? 'ssh'}
      />
      <Field
        name="instanceId"
        label={t('ssmHosts.instanceId')}
        hint={t('ssmHosts.instanceIdHint')}
        placeholder="i-0123456789abcdef0"
        autoCapitalize="none"
        spellCheck={false}
        defaultValue={host?.instanceId}
      />
      <Field
        name="hostKeyFingerprint"
        label={t('hosts.fingerprint')}
        hint={host?.hostKeyFingerprint ? t('hosts.fingerprintKeepHint') : t('hosts.fingerprintHint')}
        placeholder="SHA256:…"
        autoCapitalize="none"
        spellCheck={false}
      />
      <TextAreaField
        name="config"
        label={t('hosts.config')}
        hint={t('hosts.configHint', { defaults: defaults.join(', ') })}
        rows={5}
        spellCheck={false}
        className="field-wide"
        placeholder="bind.zones_dir=/etc/bind/consort"
        defaultValue={configLines(host?.config)}
      />
      <Field
        name="description"
        label={t('hosts.descriptionLabel')}
        className="field-wide"
        maxLength={500}
        defaultValue={host?.description}
      />
    </div>
  );
}
