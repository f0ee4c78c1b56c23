// The fields of a generated service form (GET /v1/service-types): one input per spec field, chosen by its widget.
// Rendered inside an ActionForm by both portals; the server action parses them back with lib/service-form.ts.
import type { FormField } from '@consort/shared/services/forms';
import { CheckboxField, CheckboxGroup, Field, SelectField, TextAreaField, type Option } from '@/components/form';
import { fieldName } from '@/lib/service-form';

export interface ServiceFormFieldsProps {
  fields: readonly FormField[];
  /** Initial values (lib/service-form.ts initialValues), by spec field name. */
  values: Record<string, string | string[] | boolean>;
  /** Choices of reference fields (the account's own services), by spec field name. */
  choices: Record<string, Option[]>;
  /** Placeholder of selects ("Choose…") and the note shown for a reference field without choices. */
  labels: { choose: string; noChoices: string; keepSecret: string };
  /** A change: secrets start empty and mean "keep the current one". */
  isChange?: boolean;
}

export function ServiceFormFields({ fields, values, choices, labels, isChange }: ServiceFormFieldsProps) {
  return (
    <div className="form-grid">
      {fields.map((field) => {
        const name = fieldName(field);
        const value = values[field.name];
        const text = typeof value === 'string' ? value : undefined;
        const options = field.ref ? (choices[field.name] ?? []) : (field.options ?? []);
        const hint = [field.help, field.ref && options.length === 0 ? labels.noChoices : undefined].filter(Boolean).join(' ') || undefined;
        const required = field.required && !(field.secret && isChange);
        switch (field.widget) {
          case 'checkbox':
            return <CheckboxField key={name} name={name} label={field.label} hint={hint} defaultChecked={value === true} />;
          case 'select':
            return (
              <SelectField
                key={name}
                name={name}
                label={field.label}
                hint={hint}
                required={required}
                options={options}
                placeholder={required && field.default !== undefined ? undefined : labels.choose}
                defaultValue={text ?? ''}
              />
            );
          case 'multi-select':
            return (
              <CheckboxGroup
                key={name}
                name={name}
                label={field.label}
                hint={hint}
                options={options}
                defaultValues={Array.isArray(value) ? value : []}
              />
            );
          case 'textarea':
          case 'list':
          case 'json':
            return (
              <TextAreaField
                key={name}
                name={name}
                label={field.label}
                hint={hint}
                required={required}
                className={field.widget === 'json' ? 'mono' : undefined}
                rows={field.widget === 'json' ? 6 : 4}
                spellCheck={field.widget === 'textarea'}
                placeholder={field.placeholder}
                defaultValue={text}
              />
            );
          default:
            return (
              <Field
                key={name}
                name={name}
                label={field.label}
                hint={field.secret && isChange ? [hint, labels.keepSecret].filter(Boolean).join(' ') : hint}
                required={required}
                type={
                  field.widget === 'password'
                    ? 'password'
                    : field.widget === 'number'
                      ? 'number'
                      : field.widget === 'date'
                        ? 'date'
                        : 'text'
                }
                autoComplete={field.widget === 'password' ? 'new-password' : 'off'}
                autoCapitalize="none"
                spellCheck={false}
                inputMode={field.widget === 'number' ? 'numeric' : undefined}
                min={field.min}
                max={field.max}
                maxLength={field.maxLength}
                placeholder={field.placeholder}
                defaultValue={text}
              />
            );
        }
      })}
    </div>
  );
}
