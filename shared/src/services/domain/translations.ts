import type { TypeTranslations } from '../ui';

/** The domain form in the portals' other languages (see `ui.ts` `TypeTranslations`). */
export const domainTranslations: TypeTranslations = {
  es: {
    label: 'Dominio y zona DNS',
    fields: {
      name: { label: 'Nombre de dominio' },
      ttl: { label: 'TTL predeterminado (segundos)', help: 'Déjalo vacío para usar el de la organización' },
      records: { label: 'Registros DNS', help: 'Se editan con el editor de registros de la página del dominio' },
    },
  },
  ca: {
    label: 'Domini i zona DNS',
    fields: {
      name: { label: 'Nom de domini' },
      ttl: { label: 'TTL per defecte (segons)', help: 'Deixa-ho buit per fer servir el de l’organització' },
      records: { label: 'Registres DNS', help: 'S’editen amb l’editor de registres de la pàgina del domini' },
    },
  },
};
