'use client';
// The fields of one DNS record. All of them render on the server (so the form works without JavaScript);
// once hydrated, only those the chosen type uses stay visible.
import { useEffect, useState } from 'react';
import { RECORD_FIELDS, RECORD_TYPES, type RecordType } from '@/lib/zone-lines';
import { Field, SelectField, useFormState } from './form';

export interface RecordDefaults {
  type?: string;
  name?: string;
  ttl?: number;
  value?: string;
  priority?: number;
  weight?: number;
  port?: number;
  flags?: number;
  tag?: string;
}

export interface RecordLabels {
  type: string;
  name: string;
  nameHint: string;
  ttl: string;
  ttlHint: string;
  value: string;
  valueHints: Record<RecordType, string>;
  priority: string;
  weight: string;
  port: string;
  flags: string;
  tag: string;
  onlyFor: string;
}

type Extra = 'priority' | 'weight' | 'port' | 'flags' | 'tag';

/** Which types use an extra field, for the "(MX, SRV)" hint shown when every field is visible. */
function typesUsing(field: Extra): string {
  return RECORD_TYPES.filter((type) => RECORD_FIELDS[type].includes(field)).join(', ');
}

export function RecordFields({ defaults = {}, labels }: { defaults?: RecordDefaults; labels: RecordLabels }) {
  const state = useFormState();
  const initial = (state.values?.type ?? defaults.type ?? 'A') as RecordType;
  const [type, setType] = useState<RecordType>(RECORD_TYPES.includes(initial) ? initial : 'A');
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const uses = (field: Extra) => !hydrated || RECORD_FIELDS[type].includes(field);
  const hint = (field: Extra) => (hydrated ? undefined : labels.onlyFor.replace('{types}', typesUsing(field)));
  const num = (n: number | undefined) => (n === undefined ? undefined : String(n));

  return (
    <div className="form-grid">
      <SelectField
        name="type"
        label={labels.type}
        required
        options={RECORD_TYPES.map((t) => ({ value: t, label: t }))}
        defaultValue={type}
        onChange={(e) => setType(e.target.value as RecordType)}
      />
      <Field
        name="name"
        label={labels.name}
        hint={labels.nameHint}
        defaultValue={defaults.name ?? '@'}
        autoCapitalize="none"
        spellCheck={false}
      />
      {uses('priority') && (
        <Field
          name="priority"
          type="number"
          label={labels.priority}
          hint={hint('priority')}
          min={0}
          max={65535}
          required={hydrated}
          defaultValue={num(defaults.priority)}
        />
      )}
      {uses('weight') && (
        <Field
          name="weight"
          type="number"
          label={labels.weight}
          hint={hint('weight')}
          min={0}
          max={65535}
          required={hydrated}
          defaultValue={num(defaults.weight)}
        />
      )}
      {uses('port') && (
        <Field
          name="port"
          type="number"
          label={labels.port}
          hint={hint('port')}
          min={0}
          max={65535}
          required={hydrated}
          defaultValue={num(defaults.port)}
        />
      )}
      {uses('flags') && (
        <Field
          name="flags"
          type="number"
          label={labels.flags}
          hint={hint('flags')}
          min={0}
          max={255}
          defaultValue={num(defaults.flags) ?? '0'}
        />
      )}
      {uses('tag') && (
        <SelectField
          name="tag"
          label={labels.tag}
          hint={hint('tag')}
          options={['issue', 'issuewild', 'iodef'].map((t) => ({ value: t, label: t }))}
          defaultValue={defaults.tag ?? 'issue'}
        />
      )}
      <Field
        name="value"
        label={labels.value}
        hint={labels.valueHints[type]}
        required
        defaultValue={defaults.value}
        className="field-wide"
        autoCapitalize="none"
        spellCheck={false}
      />
      <Field name="ttl" type="number" label={labels.ttl} hint={labels.ttlHint} min={60} max={604800} defaultValue={num(defaults.ttl)} />
    </div>
  );
}
