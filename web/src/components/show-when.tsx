'use client';
// Show a group of fields only while another control of the same form has one of some values (a billing point of
// "fixed" → its month and day). Everything renders visible on the server, so the form works without JavaScript;
// the server action ignores the fields that do not apply. The wrapper is `display: contents`, so its fields sit in
// the surrounding grid as if it were not there.
import { useEffect, useRef, useState } from 'react';

export function ShowWhen({
  field,
  values,
  className,
  children,
}: {
  /** Name of the controlling select or radio group. */
  field: string;
  values: string[];
  className?: string;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(true);
  const key = values.join('\n');

  useEffect(() => {
    const form = ref.current?.closest('form');
    if (!form) return;
    const wanted = key.split('\n');
    const update = () => {
      const control = form.elements.namedItem(field) as HTMLSelectElement | RadioNodeList | HTMLInputElement | null;
      setVisible(wanted.includes(control?.value ?? ''));
    };
    // A reset (after a successful submission) restores the defaults only after the event.
    const onReset = () => setTimeout(update);
    update();
    form.addEventListener('change', update);
    form.addEventListener('reset', onReset);
    return () => {
      form.removeEventListener('change', update);
      form.removeEventListener('reset', onReset);
    };
  }, [field, key]);

  return (
    <div ref={ref} className={['show-when', className].filter(Boolean).join(' ')} hidden={!visible}>
      {children}
    </div>
  );
}
