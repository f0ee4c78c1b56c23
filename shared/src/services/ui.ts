/**
 * Declarative UI hints and customer permissions of a service type (thesis §5.2: portal forms generated from the
 * schema plus per-type hints). Plain data: the form generator (`forms.ts`) reads them, the use cases enforce the
 * permissions, and `GET /v1/service-types` returns them to the portals.
 */
import type { Locale } from '../core/schemas';

/** How a field is edited. `list` = one value per line; `json` = a JSON document (nested objects, arrays of objects). */
export const WIDGETS = ['text', 'number', 'password', 'textarea', 'select', 'multi-select', 'checkbox', 'list', 'date', 'json'] as const;
export type Widget = (typeof WIDGETS)[number];

/** Choices taken from the account's own services of a kind (e.g. a website's domains: the account's domains). */
export interface ReferenceHint {
  kind: string;
  /**
   * Spec fields the referenced service must share with this one, as `{ theirField: ourField }`: a database user's
   * grants offer only databases whose `engine` is the user's `engine`.
   */
  same?: Record<string, string>;
  /** For a list of objects (grants), the property of each item that holds the referenced name. */
  itemKey?: string;
}

export interface FieldHint {
  label?: string;
  widget?: Widget;
  help?: string;
  placeholder?: string;
  /** Never shown back (a password): the input starts empty; empty on a change keeps the stored value. */
  secret?: boolean;
  /** Not in forms (a stored hash, backend-managed values). */
  hidden?: boolean;
  ref?: ReferenceHint;
  /** Labels of enum values that have a human name (`public` → "Public"); values left out show as they are. */
  options?: Readonly<Record<string, string>>;
}

export interface ServiceUiHints {
  /** Field order; fields not listed follow in schema order. */
  order?: readonly string[];
  /** Fields that make up the service's name: set on creation, read-only afterwards. */
  identity?: readonly string[];
  fields?: Readonly<Record<string, FieldHint>>;
  /**
   * The type's texts in the portals' other languages (the hints themselves are English). Kept in the type's own
   * module so a new type brings its translations with it; any text left out falls back to the English one.
   */
  translations?: TypeTranslations;
}

/** The languages translated from the English hints: every locale of the portals but English. */
export type TranslatedLocale = Exclude<Locale, 'en'>;

export type TypeTranslations = Readonly<Partial<Record<TranslatedLocale, TypeTexts>>>;

/** One language's texts of a type: its label and, per field, what `FieldHint` says in English. */
export interface TypeTexts {
  label?: string;
  fields?: Readonly<Record<string, FieldTexts>>;
}

export interface FieldTexts {
  /** Also for fields without an English label (the form humanises the field name, in English only). */
  label?: string;
  help?: string;
  /** Only placeholders with words; example values (`example.org`) read the same in every language. */
  placeholder?: string;
  /** Labels of enum values that have a human name (`public`, `hours`); technical tokens (`mysql`) stay as they are. */
  options?: Readonly<Record<string, string>>;
}

/** Numeric account limits a field is capped by for customers (see `accounts/model.ts` `AccountLimits`). */
export type FieldCapLimit = 'mailboxQuotaMb';

/**
 * What customers may do with their own services of a kind. Staff are never restricted by this. Absent on a
 * type = staff only.
 */
export interface CustomerPermissions {
  create: boolean;
  change: boolean;
  delete: boolean;
  /**
   * Top-level spec fields a customer may set when creating and change later. A create may not submit others (they
   * take their defaults); a change may not alter others (403).
   */
  fields: readonly string[];
  /** Fields capped by an account limit for customers, with the cap used while staff set none. */
  caps?: Readonly<Record<string, { limit: FieldCapLimit; default: number }>>;
}
