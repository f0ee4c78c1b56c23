/** What a form's server action returns; the form shows it (errors next to fields, a summary, a success note). */
export interface FormState<Data = unknown> {
  status: 'idle' | 'success' | 'error';
  /** Summary shown at the top of the form. */
  message?: string;
  /** Errors that belong to no field of the form. */
  formErrors?: string[];
  fieldErrors?: Record<string, string[]>;
  /** Submitted values to show again after an error (never passwords). */
  values?: Record<string, string>;
  /** Anything the form shows after success (e.g. an API key's secret). */
  data?: Data;
}

export const IDLE: FormState = { status: 'idle' };

/** A server action usable by `<ActionForm>`. */
export type FormAction = (state: FormState, formData: FormData) => Promise<FormState>;
