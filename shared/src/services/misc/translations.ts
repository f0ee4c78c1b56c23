import type { TypeTranslations } from '../ui';

/** The miscellaneous service form in the portals' other languages (see `ui.ts` `TypeTranslations`). */
export const miscTranslations: TypeTranslations = {
  es: {
    label: 'Varios / trabajo',
    fields: {
      name: { label: 'Nombre' },
      description: { label: 'Descripción' },
      // The schema takes a decimal point only: say so where a decimal comma is the habit.
      quantity: { label: 'Cantidad', help: 'Un número; decimales con punto (2.5)' },
      unit: { label: 'Unidad', options: { hours: 'Horas', units: 'Unidades' } },
      relatedTo: { label: 'Servicio relacionado', help: '{"kind": "website", "name": "…"} o vacío' },
    },
  },
  ca: {
    label: 'Diversos / feina',
    fields: {
      name: { label: 'Nom' },
      description: { label: 'Descripció' },
      quantity: { label: 'Quantitat', help: 'Un nombre; decimals amb punt (2.5)' },
      unit: { label: 'Unitat', options: { hours: 'Hores', units: 'Unitats' } },
      relatedTo: { label: 'Servei relacionat', help: '{"kind": "website", "name": "…"} o buit' },
    },
  },
};
