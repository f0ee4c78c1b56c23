import type { TypeTranslations } from '../ui';

// The database forms in the portals' other languages (see `ui.ts` `TypeTranslations`). Engines, character sets
// and collations are names the servers use: their options stay untranslated.

export const databaseTranslations: TypeTranslations = {
  es: {
    label: 'Base de datos',
    fields: {
      name: { label: 'Nombre de la base de datos' },
      engine: { label: 'Motor' },
      charset: { label: 'Juego de caracteres', help: 'Vacío para usar el valor predeterminado del motor' },
      collation: { label: 'Cotejamiento', help: 'Vacío para usar el valor predeterminado del juego de caracteres' },
      owner: { label: 'Propietario (PostgreSQL)' },
    },
  },
  ca: {
    label: 'Base de dades',
    fields: {
      name: { label: 'Nom de la base de dades' },
      engine: { label: 'Motor' },
      charset: { label: 'Joc de caràcters', help: 'Buit per fer servir el valor per defecte del motor' },
      collation: { label: 'Ordenació', help: 'Buit per fer servir el valor per defecte del joc de caràcters' },
      owner: { label: 'Propietari (PostgreSQL)' },
    },
  },
};

export const databaseUserTranslations: TypeTranslations = {
  es: {
    label: 'Usuario de base de datos',
    fields: {
      username: { label: 'Nombre de usuario' },
      engine: { label: 'Motor' },
      password: { label: 'Contraseña', help: 'De 8 a 128 caracteres imprimibles' },
      grants: { label: 'Bases de datos (todos los privilegios)' },
      disabled: { label: 'Desactivado (no puede iniciar sesión)' },
    },
  },
  ca: {
    label: 'Usuari de base de dades',
    fields: {
      username: { label: 'Nom d’usuari' },
      engine: { label: 'Motor' },
      password: { label: 'Contrasenya', help: 'De 8 a 128 caràcters imprimibles' },
      grants: { label: 'Bases de dades (tots els privilegis)' },
      disabled: { label: 'Desactivat (no pot iniciar la sessió)' },
    },
  },
};
