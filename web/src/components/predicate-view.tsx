// A billable service's predicate in words: "Every service", one condition, or nested lists of them.
import type { Translate } from '@/i18n';
import type { Predicate, PredicateValue } from '@/server/types';

function valueText(value: PredicateValue | undefined): string {
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return typeof value === 'string' ? `“${value}”` : String(value);
}

export function PredicateView({ t, predicate }: { t: Translate; predicate: Predicate }) {
  if ('all' in predicate || 'any' in predicate) {
    const list = 'all' in predicate ? predicate.all : predicate.any;
    if ('all' in predicate && list.length === 0) return <>{t('catalog.predicate.every')}</>;
    if (list.length === 1 && list[0] && 'field' in list[0]) return <PredicateView t={t} predicate={list[0]} />;
    return (
      <>
        {'all' in predicate ? t('catalog.predicate.allOf') : t('catalog.predicate.anyOf')}
        <ul className="predicate-list">
          {list.map((p, i) => (
            <li key={i}>
              <PredicateView t={t} predicate={p} />
            </li>
          ))}
        </ul>
      </>
    );
  }
  if ('not' in predicate) {
    return (
      <>
        {t('catalog.predicate.not')}
        <ul className="predicate-list">
          <li>
            <PredicateView t={t} predicate={predicate.not} />
          </li>
        </ul>
      </>
    );
  }
  if (predicate.op === 'exists' && predicate.value === false) {
    return <span className="mono">{t('catalog.predicate.notSet', { field: predicate.field })}</span>;
  }
  return (
    <span>
      <span className="mono">{predicate.field}</span> {t(`catalog.predicate.ops.${predicate.op}`)}
      {predicate.op !== 'exists' && <> {valueText(predicate.value)}</>}
    </span>
  );
}
