import type { TypeTranslations } from '../ui';

/** The website form in the portals' other languages (see `ui.ts` `TypeTranslations`). */
export const websiteTranslations: TypeTranslations = {
  es: {
    label: 'Sitio web',
    fields: {
      name: { label: 'Nombre del sitio' },
      domains: { label: 'Dominios', help: 'Nombres de host de los dominios de esta cuenta, uno por línea' },
      // `http` and `https` read the same in every language.
      protocol: { label: 'Protocolo', options: { 'https-redirect': 'https (http redirige a https)' } },
      certificate: { label: 'Nombre del certificado' },
      systemUser: { label: 'Usuario del sistema' },
      webApp: { label: 'Aplicación web' },
      documentRoot: { label: 'Raíz de documentos' },
      options: { label: 'Opciones' },
      disabled: { label: 'Desactivado' },
    },
  },
  ca: {
    label: 'Lloc web',
    fields: {
      name: { label: 'Nom del lloc' },
      domains: { label: 'Dominis', help: 'Noms de host dels dominis d’aquest compte, un per línia' },
      protocol: { label: 'Protocol', options: { 'https-redirect': 'https (http redirigeix a https)' } },
      certificate: { label: 'Nom del certificat' },
      systemUser: { label: 'Usuari del sistema' },
      webApp: { label: 'Aplicació web' },
      documentRoot: { label: 'Arrel de documents' },
      options: { label: 'Opcions' },
      disabled: { label: 'Desactivat' },
    },
  },
};
