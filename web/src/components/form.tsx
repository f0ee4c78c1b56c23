'use client';
// Accessible forms over server actions. They work before (and without) hydration: React posts the form to the
// server action and the page comes back with the returned state. With JavaScript, the first invalid field gets
// the focus after an error.
import { createContext, useActionState, useContext, useEffect, useId, useRef } from 'react';
import { useFormStatus } from 'react-dom';
import { useT } from '@/i18n/client';
import { IDLE, type FormAction, type FormState } from './form-state';

const FormStateContext = createContext<FormState>(IDLE);

/** For forms that run useActionState themselves (e.g. to show returned data) but use these fields. */
export function FormStateProvider({ value, children }: { value: FormState; children: React.ReactNode }) {
  return <FormStateContext.Provider value={value}>{children}</FormStateContext.Provider>;
}

/** The state returned by the enclosing form's last submission. */
export function useFormState(): FormState {
  return useContext(FormStateContext);
}

interface ActionFormProps extends Omit<React.FormHTMLAttributes<HTMLFormElement>, 'action'> {
  action: FormAction;
  /** Shown in a status region after a successful submission (when the action returns no message). */
  successMessage?: string;
  /** Rendered after success with the state (e.g. a secret shown once). */
  children: React.ReactNode;
}

export function ActionForm({ action, successMessage, children, className, ...rest }: ActionFormProps) {
  const [state, formAction] = useActionState(action, IDLE);
  const t = useT();
  const summaryRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (state.status !== 'error') return;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? summaryRef.current)?.focus();
  }, [state]);

  const success = state.status === 'success' ? (state.message ?? successMessage) : undefined;
  return (
    <FormStateContext.Provider value={state}>
      <form ref={formRef} action={formAction} className={['form', className].filter(Boolean).join(' ')} {...rest}>
        {state.status === 'error' && (
          <div ref={summaryRef} className="notice notice-error" role="alert" tabIndex={-1}>
            <p className="notice-title">{state.message ?? t('errorTitle')}</p>
            {state.formErrors && state.formErrors.length > 0 && (
              <ul>
                {state.formErrors.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {success && (
          <p className="notice notice-success" role="status">
            {success}
          </p>
        )}
        {children}
      </form>
    </FormStateContext.Provider>
  );
}

interface FieldBase {
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  className?: string;
}

/** ids and aria attributes tying a control to its label, hint and errors. */
function useFieldWiring(name: string, hint?: string) {
  const state = useFormState();
  const id = `f-${useId().replace(/:/g, '')}`;
  const errors = state.fieldErrors?.[name] ?? [];
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors.length ? `${id}-error` : undefined;
  return {
    id,
    errors,
    hintId,
    errorId,
    value: state.values?.[name],
    aria: {
      'aria-invalid': errors.length ? (true as const) : undefined,
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined,
    },
  };
}

function FieldMessages({ hint, hintId, errors, errorId }: { hint?: string; hintId?: string; errors: string[]; errorId?: string }) {
  return (
    <>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <p id={errorId} className="field-error">
          {errors.join(' ')}
        </p>
      )}
    </>
  );
}

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'defaultValue' | 'id'>;

/** A labelled text-like input. */
export function Field({
  name,
  label,
  hint,
  required,
  className,
  defaultValue,
  ...input
}: FieldBase & InputProps & { defaultValue?: string | number }) {
  const f = useFieldWiring(name, hint);
  const isSecret = input.type === 'password';
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={f.id}>
        {label}
        {required && <RequiredMark />}
      </label>
      <input
        id={f.id}
        name={name}
        required={required}
        defaultValue={isSecret ? undefined : (f.value ?? defaultValue)}
        {...f.aria}
        {...input}
      />
      <FieldMessages hint={hint} hintId={f.hintId} errors={f.errors} errorId={f.errorId} />
    </div>
  );
}

type TextAreaProps = Omit<React.TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'defaultValue' | 'id'>;

export function TextAreaField({
  name,
  label,
  hint,
  required,
  className,
  defaultValue,
  ...rest
}: FieldBase & TextAreaProps & { defaultValue?: string }) {
  const f = useFieldWiring(name, hint);
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={f.id}>
        {label}
        {required && <RequiredMark />}
      </label>
      <textarea id={f.id} name={name} required={required} defaultValue={f.value ?? defaultValue} {...f.aria} {...rest} />
      <FieldMessages hint={hint} hintId={f.hintId} errors={f.errors} errorId={f.errorId} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({
  name,
  label,
  hint,
  required,
  className,
  options,
  defaultValue,
  placeholder,
  ...rest
}: FieldBase &
  Omit<React.SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'defaultValue' | 'id'> & {
    options: Option[];
    defaultValue?: string;
    placeholder?: string;
  }) {
  const f = useFieldWiring(name, hint);
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={f.id}>
        {label}
        {required && <RequiredMark />}
      </label>
      {/* React applies a select's defaultValue only when it mounts, and resets the form to it after each action: the
          key remounts the select when a submission's value comes back (after an error), never while the user edits. */}
      <select
        key={f.value === undefined ? 'initial' : `submitted:${f.value}`}
        id={f.id}
        name={name}
        required={required}
        defaultValue={f.value ?? defaultValue ?? ''}
        {...f.aria}
        {...rest}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages hint={hint} hintId={f.hintId} errors={f.errors} errorId={f.errorId} />
    </div>
  );
}

/** A single checkbox; submits `value` (default "on") when checked. */
export function CheckboxField({
  name,
  label,
  hint,
  className,
  defaultChecked,
  value = 'on',
}: FieldBase & { defaultChecked?: boolean; value?: string }) {
  const f = useFieldWiring(name, hint);
  const state = useFormState();
  const checked = state.values ? state.values[name] === value : defaultChecked;
  return (
    <div className={['field field-check', className].filter(Boolean).join(' ')}>
      <input id={f.id} type="checkbox" name={name} value={value} defaultChecked={checked} {...f.aria} />
      <label htmlFor={f.id}>{label}</label>
      <FieldMessages hint={hint} hintId={f.hintId} errors={f.errors} errorId={f.errorId} />
    </div>
  );
}

/** Several checkboxes with one name, in a fieldset with a legend. */
export function CheckboxGroup({
  name,
  label,
  hint,
  required,
  className,
  options,
  defaultValues = [],
}: FieldBase & { options: Option[]; defaultValues?: string[] }) {
  const f = useFieldWiring(name, hint);
  const state = useFormState();
  const selected = state.values ? (state.values[name] ?? '').split('\n') : defaultValues;
  return (
    <fieldset className={['field fieldset', className].filter(Boolean).join(' ')} aria-describedby={f.aria['aria-describedby']}>
      <legend>
        {label}
        {required && <RequiredMark />}
      </legend>
      <div className="check-row">
        {options.map((o) => (
          <label key={o.value} className="check">
            <input
              type="checkbox"
              name={name}
              value={o.value}
              defaultChecked={selected.includes(o.value)}
              aria-invalid={f.aria['aria-invalid']}
            />{' '}
            {o.label}
          </label>
        ))}
      </div>
      <FieldMessages hint={hint} hintId={f.hintId} errors={f.errors} errorId={f.errorId} />
    </fieldset>
  );
}

/** Radio buttons with one name, in a fieldset with a legend. */
export function RadioGroup({
  name,
  label,
  hint,
  required,
  className,
  options,
  defaultValue,
}: FieldBase & { options: Option[]; defaultValue?: string }) {
  const f = useFieldWiring(name, hint);
  const state = useFormState();
  const selected = state.values ? (state.values[name] ?? defaultValue) : defaultValue;
  return (
    <fieldset className={['field fieldset', className].filter(Boolean).join(' ')} aria-describedby={f.aria['aria-describedby']}>
      <legend>
        {label}
        {required && <RequiredMark />}
      </legend>
      <div className="check-row">
        {options.map((o) => (
          <label key={o.value} className="check">
            <input
              type="radio"
              name={name}
              value={o.value}
              required={required}
              defaultChecked={selected === o.value}
              aria-invalid={f.aria['aria-invalid']}
            />{' '}
            {o.label}
          </label>
        ))}
      </div>
      <FieldMessages hint={hint} hintId={f.hintId} errors={f.errors} errorId={f.errorId} />
    </fieldset>
  );
}

function RequiredMark() {
  const t = useT();
  return (
    <span className="required" aria-hidden="true" title={t('required')}>
      {' *'}
    </span>
  );
}

/** The submit button; disabled with a "working" label while the action runs. */
export function SubmitButton({
  children,
  variant = 'primary',
  className,
  ...rest
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'danger' }) {
  const { pending } = useFormStatus();
  const t = useT();
  return (
    <button
      type="submit"
      className={['button', `button-${variant}`, className].filter(Boolean).join(' ')}
      disabled={pending}
      aria-disabled={pending}
      {...rest}
    >
      {pending ? t('working') : children}
    </button>
  );
}
