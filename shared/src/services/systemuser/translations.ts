import type { TypeTranslations } from '../ui';

/** The system user form in the portals' other languages (see `ui.ts` `TypeTranslations`). */
export const systemUserTranslations: TypeTranslations = {
  es: {
    label: 'Usuario del sistema (SFTP/SSH)',
    fields: {
      username: { label: 'Nombre de usuario' },
      shell: { label: 'Intérprete de órdenes (shell)', help: 'nologin solo permite SFTP' },
      groups: { label: 'Grupos adicionales' },
      authorizedKeys: { label: 'Claves públicas SSH', help: 'Una clave pública OpenSSH por línea' },
      disabled: { label: 'Desactivado' },
    },
  },
  ca: {
    label: 'Usuari del sistema (SFTP/SSH)',
    fields: {
      username: { label: 'Nom d’usuari' },
      shell: { label: 'Intèrpret d’ordres (shell)', help: 'nologin només permet SFTP' },
      groups: { label: 'Grups addicionals' },
      authorizedKeys: { label: 'Claus públiques SSH', help: 'Una clau pública OpenSSH per línia' },
      disabled: { label: 'Desactivat' },
    },
  },
};
