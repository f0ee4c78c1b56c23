'use client';
// Repeatable groups of fields (a predicate's conditions, a pack's rates). Each row's controls are named
// `<prefix>.<id>.<column>` with an id that never changes while the form lives, so errors the server maps to a row
// stay next to that row. Without JavaScript the server renders the rows plus a few blank ones (a blank row is
// ignored); with it, rows can be added and removed.
import { useEffect, useRef, useState } from 'react';
import { interpolate } from '@/i18n/locales';
import { Field, SelectField, useFormState, type Option } from './form';

export interface RowColumn {
  name: string;
  label: string;
  hint?: string;
  type?: 'text' | 'number' | 'select';
  options?: Option[];
  /** For selects: a first, empty option. */
  placeholder?: string;
  /** Value of this column in a new, blank row. */
  blank?: string;
  inputMode?: React.HTMLAttributes<HTMLInputElement>['inputMode'];
  min?: number;
  max?: number;
  maxLength?: number;
  wide?: boolean;
}

export interface RowsLabels {
  /** Legend of a row, with `{n}` for its position. */
  row: string;
  add: string;
  /** Accessible name of a row's remove button, with `{n}`. */
  remove: string;
  removeShort: string;
}

/** The ids of the rows a submission held, from its values (`cond.3.field` → 3), in order. */
function submittedIds(values: Record<string, string> | undefined, prefix: string): number[] | undefined {
  if (!values) return undefined;
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.`);
  const ids = new Set<number>();
  for (const key of Object.keys(values)) {
    const m = pattern.exec(key);
    if (m) ids.add(Number(m[1]));
  }
  return [...ids].sort((a, b) => a - b);
}

export function RowsEditor({
  prefix,
  columns,
  rows,
  blankRows = 2,
  labels,
}: {
  prefix: string;
  columns: RowColumn[];
  /** The current rows' values by column name. */
  rows: Record<string, string>[];
  /** Blank rows rendered after the current ones (the only way to add rows without JavaScript). */
  blankRows?: number;
  labels: RowsLabels;
}) {
  const state = useFormState();
  const initialIds = submittedIds(state.values, prefix) ?? Array.from({ length: rows.length + blankRows }, (_, i) => i);
  const [ids, setIds] = useState<number[]>(initialIds);
  const [hydrated, setHydrated] = useState(false);
  const [focusId, setFocusId] = useState<number | undefined>();
  const container = useRef<HTMLDivElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  useEffect(() => setHydrated(true), []);

  useEffect(() => {
    if (focusId === undefined) return;
    container.current?.querySelector<HTMLElement>(`[data-row="${focusId}"] input, [data-row="${focusId}"] select`)?.focus();
    setFocusId(undefined);
  }, [focusId]);

  const add = () => {
    const id = Math.max(-1, ...ids) + 1;
    setIds([...ids, id]);
    setFocusId(id);
  };
  const remove = (id: number) => {
    setIds(ids.filter((x) => x !== id));
    addButton.current?.focus();
  };

  return (
    <div className="rows-editor" ref={container}>
      {ids.map((id, position) => {
        const current = rows[id];
        const n = position + 1;
        return (
          <fieldset key={id} className="row-fieldset" data-row={id}>
            <legend>{interpolate(labels.row, { n })}</legend>
            <div className="row-fields">
              {columns.map((col) => {
                const name = `${prefix}.${id}.${col.name}`;
                const value = current ? current[col.name] : col.blank;
                const className = col.wide ? 'row-field-wide' : undefined;
                return col.type === 'select' ? (
                  <SelectField
                    key={col.name}
                    name={name}
                    label={col.label}
                    hint={col.hint}
                    options={col.options ?? []}
                    placeholder={col.placeholder}
                    defaultValue={value ?? ''}
                    className={className}
                  />
                ) : (
                  <Field
                    key={col.name}
                    name={name}
                    label={col.label}
                    hint={col.hint}
                    type={col.type === 'number' ? 'number' : 'text'}
                    inputMode={col.inputMode}
                    min={col.min}
                    max={col.max}
                    maxLength={col.maxLength}
                    defaultValue={value}
                    autoCapitalize="none"
                    spellCheck={false}
                    className={className}
                  />
                );
              })}
              {hydrated && (
                <div className="row-remove">
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={interpolate(labels.remove, { n })}
                    onClick={() => remove(id)}
                  >
                    {labels.removeShort}
                  </button>
                </div>
              )}
            </div>
          </fieldset>
        );
      })}
      {hydrated && (
        <div>
          <button ref={addButton} type="button" className="button button-secondary button-small" onClick={add}>
            {labels.add}
          </button>
        </div>
      )}
    </div>
  );
}
