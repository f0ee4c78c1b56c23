import type { TypeTranslations } from '../ui';

/** The mailing list form in the portals' other languages (see `ui.ts` `TypeTranslations`). */
export const mailingListTranslations: TypeTranslations = {
  es: {
    label: 'Lista de correo',
    fields: {
      name: { label: 'Nombre de la lista (antes de la @)' },
      domain: { label: 'Dominio' },
      admin: { label: 'Correo electrónico del propietario' },
      description: { label: 'Descripción' },
      subjectPrefix: { label: 'Prefijo del asunto', placeholder: '[noticias]' },
      archive: { label: 'Archivo', options: { public: 'Público', private: 'Privado', none: 'Sin archivo' } },
      language: {
        label: 'Idioma',
        options: {
          en: 'Inglés',
          de: 'Alemán',
          fr: 'Francés',
          it: 'Italiano',
          pt: 'Portugués',
          cs: 'Checo',
          fi: 'Finés',
          sk: 'Eslovaco',
          gr: 'Griego',
          ast: 'Asturiano',
          'zh-cn': 'Chino simplificado',
        },
      },
      disabled: { label: 'Desactivada' },
    },
  },
  ca: {
    label: 'Llista de correu',
    fields: {
      name: { label: 'Nom de la llista (abans de l’@)' },
      domain: { label: 'Domini' },
      admin: { label: 'Correu electrònic del propietari' },
      description: { label: 'Descripció' },
      subjectPrefix: { label: 'Prefix de l’assumpte', placeholder: '[notícies]' },
      archive: { label: 'Arxiu', options: { public: 'Públic', private: 'Privat', none: 'Sense arxiu' } },
      language: {
        label: 'Idioma',
        options: {
          en: 'Anglès',
          de: 'Alemany',
          fr: 'Francès',
          it: 'Italià',
          pt: 'Portuguès',
          cs: 'Txec',
          fi: 'Finès',
          sk: 'Eslovac',
          gr: 'Grec',
          ast: 'Asturià',
          'zh-cn': 'Xinès simplificat',
        },
      },
      disabled: { label: 'Desactivada' },
    },
  },
};
