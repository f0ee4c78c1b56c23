import type { TypeTranslations } from '../ui';

// The mail forms in the portals' other languages (see `ui.ts` `TypeTranslations`). "Disabled" agrees with the
// service's noun: un buzón desactivado, una bústia desactivada.

export const mailboxTranslations: TypeTranslations = {
  es: {
    label: 'Buzón',
    fields: {
      name: { label: 'Nombre (antes de la @)' },
      domain: { label: 'Dominio' },
      password: { label: 'Contraseña', help: 'Al menos 10 caracteres' },
      quotaMb: { label: 'Cuota del buzón (MiB)' },
      disabled: { label: 'Desactivado (no puede iniciar sesión; el correo se sigue aceptando)' },
    },
  },
  ca: {
    label: 'Bústia',
    fields: {
      name: { label: 'Nom (abans de l’@)' },
      domain: { label: 'Domini' },
      password: { label: 'Contrasenya', help: 'Com a mínim 10 caràcters' },
      quotaMb: { label: 'Quota de la bústia (MiB)' },
      disabled: { label: 'Desactivada (no pot iniciar la sessió; el correu encara s’accepta)' },
    },
  },
};

export const mailAddressTranslations: TypeTranslations = {
  es: {
    label: 'Dirección de correo (alias, reenvío, comodín)',
    fields: {
      name: { label: 'Nombre (antes de la @)', help: 'Vacío para el comodín (catch-all) del dominio' },
      domain: { label: 'Dominio' },
      mailboxes: { label: 'Entregar en los buzones' },
      forwards: { label: 'Reenviar a', help: 'Direcciones externas, una por línea' },
      disabled: { label: 'Desactivada' },
    },
  },
  ca: {
    label: 'Adreça de correu (àlies, reenviament, comodí)',
    fields: {
      name: { label: 'Nom (abans de l’@)', help: 'Buit per al comodí (catch-all) del domini' },
      domain: { label: 'Domini' },
      mailboxes: { label: 'Lliurar a les bústies' },
      forwards: { label: 'Reenviar a', help: 'Adreces externes, una per línia' },
      disabled: { label: 'Desactivada' },
    },
  },
};

export const autoresponseTranslations: TypeTranslations = {
  es: {
    label: 'Respuesta de vacaciones',
    fields: {
      mailbox: { label: 'Buzón' },
      subject: { label: 'Asunto' },
      body: { label: 'Texto de la respuesta' },
      from: { label: 'Primer día' },
      until: { label: 'Último día' },
      days: { label: 'Días antes de volver a responder al mismo remitente' },
      disabled: { label: 'Desactivada' },
    },
  },
  ca: {
    label: 'Resposta de vacances',
    fields: {
      mailbox: { label: 'Bústia' },
      subject: { label: 'Assumpte' },
      body: { label: 'Text de la resposta' },
      from: { label: 'Primer dia' },
      until: { label: 'Últim dia' },
      days: { label: 'Dies abans de tornar a respondre al mateix remitent' },
      disabled: { label: 'Desactivada' },
    },
  },
};
