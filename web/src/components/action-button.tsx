'use client';
// One-button forms (delete, revoke, retry): optional confirmation with JavaScript, plain POST without it.
import { ActionForm, SubmitButton } from './form';
import type { FormAction } from './form-state';

export function ActionButton({
  action,
  label,
  confirm,
  variant = 'secondary',
  hidden,
  accessibleName,
}: {
  action: FormAction;
  label: string;
  /** Question asked before submitting (only when JavaScript runs). */
  confirm?: string;
  variant?: 'primary' | 'secondary' | 'danger';
  hidden?: Record<string, string>;
  /** A fuller name for screen readers when the visible label is short ("Remove" → "Remove record www A"). */
  accessibleName?: string;
}) {
  return (
    <ActionForm action={action} className="inline-form">
      {hidden && Object.entries(hidden).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      <SubmitButton
        variant={variant}
        className="button-small"
        aria-label={accessibleName}
        onClick={(e) => {
          if (confirm && !window.confirm(confirm)) e.preventDefault();
        }}
      >
        {label}
      </SubmitButton>
    </ActionForm>
  );
}
