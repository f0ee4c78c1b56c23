import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { Slug } from '../../core/schemas';
import { defineServiceType, type BackendDefinition, type ServiceReference } from '../define-service-type';
import { parseDomainName } from '../domain/records';
import { PosixUsername } from '../systemuser/names';
import { websiteTranslations } from './translations';

// Every value below ends up in an nginx or Apache configuration file (text, not shell). The schemas keep them to
// characters neither daemon treats as syntax — no blanks, quotes, `;`, `{`, `#`, `$`, `%` or backslashes — so a
// value can never close a directive or open a block, whichever daemon reads it.

/** A host name the site answers to: a domain name (IDN → punycode) or a leading wildcard such as `*.example.org`. */
export const ServerName = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const wildcard = value.trim().startsWith('*.');
    const parsed = parseDomainName(wildcard ? value.trim().slice(2) : value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return wildcard ? `*.${parsed.name}` : parsed.name;
  });

const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}$/;

/** A path below a base folder: plain segments (no `.`/`..`, no hidden folders, no blanks), at most 8 deep. */
export const RelativePath = z
  .string()
  .max(200)
  .superRefine((value, ctx) => {
    const segments = value.replace(/\/+$/, '').split('/');
    if (!value || segments.length > 8 || !segments.every((s) => SEGMENT.test(s))) {
      ctx.addIssue({
        code: 'custom',
        message: 'Use a folder such as public_html or sites/shop: letters, digits, . _ ~ -, separated by /, no .. or leading dots',
      });
    }
  })
  .transform((value) => value.replace(/\/+$/, ''));

/** A URL path on the site, e.g. `/errors/404.html`. */
export const UrlPath = z
  .string()
  .max(200)
  .refine(
    (value) => /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99})+$/.test(value),
    'Use a path on the site such as /errors/404.html (letters, digits, . _ ~ -; no .. or leading dots)',
  );

/** A file name such as index.html. */
export const IndexFile = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}$/, 'Use a file name such as index.html');

/** A certificate in the host's certificate folder (`tls.dir`), Let's Encrypt layout: `<name>/fullchain.pem`. */
export const CertificateName = z
  .string()
  .max(100)
  .regex(/^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,98}[a-z0-9]$/, 'Use the name of a certificate on the host, such as example.org');

export const WEBSITE_PROTOCOLS = ['http', 'https', 'https-redirect'] as const;
export const ERROR_STATUSES = [400, 401, 403, 404, 405, 410, 429, 500, 502, 503, 504] as const;

const unique =
  <T>(key: (item: T) => string, message: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message });
      seen.add(k);
    });
  };

/** Per-site options: an allow-list that both daemons can express; unknown options are refused, not ignored. */
export const WebsiteOptions = z.strictObject({
  indexFiles: z.array(IndexFile).min(1).max(10).optional(),
  directoryListing: z.boolean().default(false),
  errorPages: z
    .array(
      z.strictObject({
        status: z.literal(ERROR_STATUSES),
        path: UrlPath,
      }),
    )
    .max(ERROR_STATUSES.length)
    .default([])
    .superRefine(unique((e) => String(e.status), 'This status has a page already')),
  /** Largest request body (uploads) in MiB; 0 = no limit. Apache's LimitRequestBody stops just below 2 GiB. */
  maxBodySizeMb: z.number().int().min(0).max(2047).optional(),
});
export type WebsiteOptions = z.output<typeof WebsiteOptions>;

/** A virtual host for one or more domain names (orchestra's Website), served by nginx or Apache. */
export const WebsiteSpec = z
  .object({
    /** Names the site on the hosts (its configuration file); unique in the tenant and fixed once created. */
    name: Slug,
    /** The first name is the site's main name; the others are aliases. */
    domains: z
      .array(ServerName)
      .min(1, 'Add at least one domain')
      .max(100)
      .superRefine(unique((d) => d, 'This domain is listed twice'))
      .refine((d) => !d[0]?.startsWith('*.'), { path: [0], message: 'The first domain is the main name and cannot be a wildcard' }),
    protocol: z.enum(WEBSITE_PROTOCOLS).default('http'),
    /** For https: a certificate folder on the host; without it the host's default certificate is used. */
    certificate: CertificateName.optional(),
    /** The owner: the document root is then inside this system user's home. */
    systemUser: PosixUsername.optional(),
    documentRoot: RelativePath.default('public_html'),
    options: WebsiteOptions.default({ directoryListing: false, errorPages: [] }),
    /** A disabled site keeps its spec and files; its configuration is removed from the web server. */
    disabled: z.boolean().default(false),
    /** A web app of the account whose PHP-FPM pool runs the site's `.php` files (on the same host, by socket). */
    webApp: Slug.optional(),
  })
  .refine((s) => !s.certificate || s.protocol !== 'http', {
    path: ['certificate'],
    message: 'A certificate is only used with https',
  });
export type WebsiteSpec = z.output<typeof WebsiteSpec>;

/** `www.shop.example.org` → the domains that may own it: itself and each parent with at least two labels. */
function owningDomains(serverName: string): string[] {
  const labels = serverName.replace(/^\*\./, '').split('.');
  const names: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) names.push(labels.slice(i).join('.'));
  return names;
}

/** The services a website needs in its own account: a domain covering each name, and its system user. */
export function websiteReferences(spec: WebsiteSpec): ServiceReference[] {
  const refs: ServiceReference[] = spec.domains.map((name, i) => ({
    kind: 'domain',
    anyOf: owningDomains(name),
    path: ['domains', i],
    message: `Add the domain ${owningDomains(name).at(-1)} (or ${name}) to this account first`,
  }));
  if (spec.systemUser) {
    refs.push({
      kind: 'systemuser',
      anyOf: [spec.systemUser],
      path: ['systemUser'],
      message: `This account has no system user ${spec.systemUser}`,
    });
  }
  if (spec.webApp) {
    // Its socket is a local file: the app must run where the site does.
    refs.push({
      kind: 'webapp',
      anyOf: [spec.webApp],
      path: ['webApp'],
      message: `This account has no web app ${spec.webApp}`,
      sameHost: true,
    });
  }
  return refs;
}

// Host paths are written into daemon configuration: the same plain form the scripts' consort_path demands.
const HOST_PATH = /^\/[A-Za-z0-9._/+@-]*$/;

function hostPath(config: Record<string, string>, key: string): string {
  const value = config[key] ?? '';
  if (!HOST_PATH.test(value) || value.split('/').includes('..')) {
    throw new DomainError(
      'invalid_host_config',
      `Host setting ${key} must be an absolute path of letters, digits and ._/+@- (got "${value}")`,
    );
  }
  return value.replace(/(.)\/+$/, '$1');
}

function port(config: Record<string, string>, key: string): number {
  const value = config[key] ?? '';
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be a port number (got "${value}")`);
  }
  return Number(value);
}

function flag(config: Record<string, string>, key: string): boolean {
  const value = config[key];
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DomainError('invalid_host_config', `Host setting ${key} must be true or false (got "${value ?? ''}")`);
}

const join = (base: string, rest: string) => `${base === '/' ? '' : base}/${rest}`;

/** What both web server backends render from: resolved paths, ports and options, all validated. */
export function siteContext(daemon: 'nginx' | 'apache', spec: WebsiteSpec, config: Record<string, string>) {
  const owner = spec.systemUser
    ? join(hostPath(config, 'unix.home_base'), spec.systemUser)
    : join(hostPath(config, 'website.root_base'), spec.name);
  const tls = spec.protocol !== 'http';
  const certificate = spec.certificate
    ? join(hostPath(config, 'tls.dir'), `${spec.certificate}/fullchain.pem`)
    : hostPath(config, 'tls.certificate');
  const key = spec.certificate ? join(hostPath(config, 'tls.dir'), `${spec.certificate}/privkey.pem`) : hostPath(config, 'tls.key');
  const logDir = hostPath(config, `${daemon}.log_dir`);
  const options = spec.options;
  const httpsPort = port(config, `${daemon}.https_port`);
  return {
    site: spec.name,
    main_name: spec.domains[0]!,
    aliases: spec.domains.slice(1),
    server_names: spec.domains,
    listen_http: spec.protocol !== 'https',
    redirect_http: spec.protocol === 'https-redirect',
    listen_https: tls,
    http_port: port(config, `${daemon}.http_port`),
    https_port: httpsPort,
    /** Appended to the host name in redirects to HTTPS. */
    https_suffix: httpsPort === 443 ? '' : `:${httpsPort}`,
    certificate: tls ? certificate : '',
    certificate_key: tls ? key : '',
    document_root: join(owner, spec.documentRoot),
    // Only a site without an owner gets its folder created (under root-owned website.root_base); a system user's
    // home is theirs to fill.
    create_root: spec.systemUser ? 'no' : 'yes',
    index_files: options.indexFiles ?? [],
    directory_listing: options.directoryListing,
    error_pages: options.errorPages.map((e) => ({ status: e.status, path: e.path })),
    max_body_mb: options.maxBodySizeMb ?? -1,
    max_body_bytes: (options.maxBodySizeMb ?? 0) * 1024 * 1024,
    log_dir: logDir,
    access_log: join(logDir, `${spec.name}.access.log`),
    error_log: join(logDir, `${spec.name}.error.log`),
    is_disabled: spec.disabled ? 'yes' : 'no',
    sites_dir: hostPath(config, `${daemon}.sites_dir`),
    // The web app's PHP-FPM socket (templates/provisioning/webapp): `.php` requests go there; '' = no PHP.
    php_socket: spec.webApp ? join(hostPath(config, 'php.run_dir'), `${spec.webApp}.sock`) : '',
  };
}

/** Settings both backends read: where homes and owner-less sites live, and the TLS files. */
const SHARED_CONFIG = {
  'unix.home_base': '/home',
  'website.root_base': '/var/www/consort',
  'tls.dir': '/etc/letsencrypt/live',
  'tls.certificate': '/etc/ssl/certs/ssl-cert-snakeoil.pem',
  'tls.key': '/etc/ssl/private/ssl-cert-snakeoil.key',
  // Where the web apps' PHP-FPM sockets are (the php-fpm backend's php.run_dir on the same host).
  'php.run_dir': '/run/php',
};

const nginx: BackendDefinition<WebsiteSpec> = {
  name: 'nginx',
  label: 'nginx',
  templates: 'provisioning/website/nginx',
  files: { site: 'site.conf.liquid' },
  config: {
    ...SHARED_CONFIG,
    // The main nginx.conf includes `<sites_dir>/*.conf` inside http {} (see templates/provisioning/website/README.md).
    'nginx.sites_dir': '/etc/nginx/consort',
    'nginx.log_dir': '/var/log/nginx',
    'nginx.nginx': 'nginx',
    'nginx.http_port': '80',
    'nginx.https_port': '443',
    'nginx.ipv6': 'true',
    'nginx.reload': 'nginx -s reload',
    'nginx.fastcgi_params': '/etc/nginx/fastcgi_params',
  },
  context: ({ service, config }) => ({
    ...siteContext('nginx', service.spec, config),
    ipv6: flag(config, 'nginx.ipv6'),
    fastcgi_params: hostPath(config, 'nginx.fastcgi_params'),
    nginx: config['nginx.nginx'],
  }),
};

const apache: BackendDefinition<WebsiteSpec> = {
  name: 'apache',
  label: 'Apache 2.4',
  templates: 'provisioning/website/apache',
  files: { site: 'site.conf.liquid' },
  config: {
    ...SHARED_CONFIG,
    // apache2.conf has `IncludeOptional <sites_dir>/*.conf`; the modules below must be enabled (a2enmod).
    'apache.sites_dir': '/etc/apache2/consort',
    'apache.log_dir': '/var/log/apache2',
    'apache.apache': 'apache2',
    'apache.modules_dir': '/usr/lib/apache2/modules',
    'apache.http_port': '80',
    'apache.https_port': '443',
    'apache.reload': 'apache2ctl graceful',
  },
  context: ({ service, config }) => ({
    ...siteContext('apache', service.spec, config),
    apache: config['apache.apache'],
    modules_dir: hostPath(config, 'apache.modules_dir'),
  }),
};

export const website = defineServiceType({
  kind: 'website',
  label: 'Website',
  spec: WebsiteSpec,
  ui: {
    order: ['name', 'domains', 'protocol', 'certificate', 'systemUser', 'webApp', 'documentRoot', 'options', 'disabled'],
    identity: ['name'],
    fields: {
      name: { label: 'Site name' },
      domains: { label: 'Domains', widget: 'list', help: "Host names of this account's domains, one per line", ref: { kind: 'domain' } },
      protocol: { label: 'Protocol', options: { 'https-redirect': 'https (http redirects to https)' } },
      certificate: { label: 'Certificate name' },
      systemUser: { label: 'System user', widget: 'select', ref: { kind: 'systemuser' } },
      webApp: { label: 'Web app', widget: 'select', ref: { kind: 'webapp' } },
      documentRoot: { label: 'Document root' },
      options: { label: 'Options', widget: 'json' },
      disabled: { label: 'Disabled' },
    },
    translations: websiteTranslations,
  },
  identity: (spec) => spec.name,
  references: websiteReferences,
  metrics: { websites: () => 1, domains: (spec) => spec.domains.length },
  backends: [nginx, apache],
});
