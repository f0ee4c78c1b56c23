import type { TypeTranslations } from '../ui';

/** The web app form in the portals' other languages (see `ui.ts` `TypeTranslations`). */
export const webAppTranslations: TypeTranslations = {
  es: {
    label: 'Aplicación web (PHP-FPM)',
    fields: {
      name: { label: 'Nombre de la aplicación' },
      type: { label: 'Tipo', options: { static: 'Estática (solo ficheros)' } },
      systemUser: { label: 'Usuario del sistema' },
      phpVersion: { label: 'Versión de PHP' },
      processes: { label: 'Procesos' },
      phpOptions: { label: 'Opciones de php.ini' },
      // No English hint: the form humanises the field name ("Disabled").
      disabled: { label: 'Desactivada' },
    },
  },
  ca: {
    label: 'Aplicació web (PHP-FPM)',
    fields: {
      name: { label: 'Nom de l’aplicació' },
      type: { label: 'Tipus', options: { static: 'Estàtica (només fitxers)' } },
      systemUser: { label: 'Usuari del sistema' },
      phpVersion: { label: 'Versió de PHP' },
      processes: { label: 'Processos' },
      phpOptions: { label: 'Opcions de php.ini' },
      disabled: { label: 'Desactivada' },
    },
  },
};
