import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { Slug } from '../../core/schemas';
import { defineServiceType, type BackendDefinition, type ServiceReference } from '../define-service-type';
import { settingInt, settingList, settingPath, settingPosixName } from '../host-settings';
import { PosixUsername } from '../systemuser/names';
import { webAppTranslations } from './translations';

/** `php`: a PHP-FPM pool of its own; `static`: files only, served by the website, no process at all. */
export const WEBAPP_TYPES = ['php', 'static'] as const;
export const PROCESS_MANAGERS = ['ondemand', 'dynamic', 'static'] as const;

const UNIT = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;

/** A php.ini size such as `256M` (K, M or G suffix, upper case), between `min` and `max` bytes. */
const IniSize = (min: number, max: number, example: string) =>
  z
    .string()
    .max(20)
    .transform((value, ctx) => {
      const m = /^([1-9][0-9]{0,6})([KMG])$/i.exec(value.trim());
      const bytes = m ? Number(m[1]) * UNIT[m[2]!.toUpperCase() as keyof typeof UNIT] : NaN;
      if (!m || bytes < min || bytes > max) {
        ctx.addIssue({ code: 'custom', message: `Use a size such as ${example} (K, M or G), from ${human(min)} to ${human(max)}` });
        return z.NEVER;
      }
      return `${m[1]}${m[2]!.toUpperCase()}`;
    });

function human(bytes: number): string {
  return bytes >= UNIT.G && bytes % UNIT.G === 0 ? `${bytes / UNIT.G}G` : `${bytes / UNIT.M}M`;
}

const bytesOf = (size: string) => Number(size.slice(0, -1)) * UNIT[size.slice(-1) as keyof typeof UNIT];
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** `error_reporting` presets, written as the numbers PHP 8 computes for E_ALL, `E_ALL & ~E_DEPRECATED & ~E_STRICT`, and also `~E_NOTICE`. */
export const ERROR_REPORTING = {
  all: 32767,
  'all-but-deprecated': 22527,
  'all-but-notices': 22519,
} as const;

/**
 * The php.ini options a customer may set, each typed: the allow-list. Unknown keys are refused (422), so no
 * `disable_functions`, `open_basedir` or `extension` ever comes from a customer.
 */
export const PhpOptions = z
  .strictObject({
    memory_limit: IniSize(8 * UNIT.M, 4 * UNIT.G, '256M').optional(),
    upload_max_filesize: IniSize(UNIT.M, 2 * UNIT.G, '64M').optional(),
    post_max_size: IniSize(UNIT.M, 2 * UNIT.G, '64M').optional(),
    max_execution_time: int(0, 3600).optional(),
    max_input_time: int(-1, 3600).optional(),
    max_input_vars: int(100, 100_000).optional(),
    display_errors: z.boolean().optional(),
    log_errors: z.boolean().optional(),
    short_open_tag: z.boolean().optional(),
    allow_url_fopen: z.boolean().optional(),
    error_reporting: z.enum(Object.keys(ERROR_REPORTING) as [keyof typeof ERROR_REPORTING]).optional(),
  })
  .refine((o) => !o.upload_max_filesize || !o.post_max_size || bytesOf(o.upload_max_filesize) <= bytesOf(o.post_max_size), {
    path: ['upload_max_filesize'],
    message: 'An upload cannot be larger than the whole request (post_max_size)',
  });
export type PhpOptions = z.output<typeof PhpOptions>;

/** Options the app itself may not raise (php_admin_*); the others are defaults the code may change with ini_set. */
const ADMIN_OPTIONS = new Set([
  'memory_limit',
  'upload_max_filesize',
  'post_max_size',
  'max_execution_time',
  'max_input_time',
  'max_input_vars',
  'allow_url_fopen',
]);

/** PHP-FPM's process manager for the pool, bounded (the host's `php.max_children` caps it further). */
export const PoolProcesses = z
  .strictObject({
    manager: z.enum(PROCESS_MANAGERS).default('ondemand'),
    maxChildren: int(1, 100).default(5),
    /** dynamic only: processes started, and the idle ones kept between these bounds. */
    startServers: int(1, 100).optional(),
    minSpareServers: int(1, 100).optional(),
    maxSpareServers: int(1, 100).optional(),
    /** ondemand only: an idle process ends after this many seconds. */
    idleTimeoutSeconds: int(1, 3600).default(10),
    /** Requests a process serves before it is replaced (0 = never). */
    maxRequests: int(0, 100_000).default(500),
  })
  .superRefine((p, ctx) => {
    if (p.manager !== 'dynamic') {
      for (const key of ['startServers', 'minSpareServers', 'maxSpareServers'] as const) {
        if (p[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'Only used with the dynamic manager' });
      }
      return;
    }
    const { min, start, max } = dynamicBounds(p);
    if (min > max) ctx.addIssue({ code: 'custom', path: ['minSpareServers'], message: 'Cannot be above maxSpareServers' });
    if (start < min || start > max) {
      ctx.addIssue({ code: 'custom', path: ['startServers'], message: 'Must be between minSpareServers and maxSpareServers' });
    }
    if (max > p.maxChildren) ctx.addIssue({ code: 'custom', path: ['maxSpareServers'], message: 'Cannot be above maxChildren' });
  });
export type PoolProcesses = z.output<typeof PoolProcesses>;

/** dynamic's spare bounds, with PHP-FPM's own defaults for the ones left out. */
function dynamicBounds(p: Pick<PoolProcesses, 'maxChildren' | 'startServers' | 'minSpareServers' | 'maxSpareServers'>) {
  const min = p.minSpareServers ?? 1;
  const max = p.maxSpareServers ?? Math.max(min, Math.min(p.maxChildren, 3));
  const start = p.startServers ?? min + Math.floor((max - min) / 2);
  return { min, start, max };
}

const DEFAULT_PROCESSES = { manager: 'ondemand', maxChildren: 5, idleTimeoutSeconds: 10, maxRequests: 500 } as const;

/** A web application run by a system user of the account: a PHP-FPM pool of its own (orchestra's WebApp). */
export const WebAppSpec = z
  .strictObject({
    /** Names the pool and its socket on the hosts; unique in the tenant and fixed once created. */
    name: Slug.refine((name) => name !== 'www', "www is the name of Debian's own PHP-FPM pool; choose another"),
    type: z.enum(WEBAPP_TYPES).default('php'),
    /** The pool's processes run as this user of the account. */
    systemUser: PosixUsername,
    /** One of the host's `php.versions`; left out, the host's first (its default). */
    phpVersion: z
      .string()
      .regex(/^[5-9]\.[0-9]{1,2}$/, 'Use a PHP version such as 8.2')
      .optional(),
    processes: PoolProcesses.default(DEFAULT_PROCESSES),
    phpOptions: PhpOptions.default({}),
    /** A disabled app keeps its spec and files; its pool is removed (no processes). */
    disabled: z.boolean().default(false),
  })
  .superRefine((s, ctx) => {
    if (s.type !== 'static') return;
    if (s.phpVersion !== undefined) ctx.addIssue({ code: 'custom', path: ['phpVersion'], message: 'A static app runs no PHP' });
    if (Object.keys(s.phpOptions).length > 0) ctx.addIssue({ code: 'custom', path: ['phpOptions'], message: 'A static app runs no PHP' });
  });
export type WebAppSpec = z.output<typeof WebAppSpec>;

/** The system user a web app runs as must be one of its own account. */
export function webAppReferences(spec: WebAppSpec): ServiceReference[] {
  return [
    {
      kind: 'systemuser',
      anyOf: [spec.systemUser],
      path: ['systemUser'],
      message: `This account has no system user ${spec.systemUser}`,
    },
  ];
}

/** The pool's `php_*` lines: name = value, in the allow-list's order. */
export function iniLines(options: PhpOptions): { directive: string; key: string; value: string }[] {
  return Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const admin = ADMIN_OPTIONS.has(key) ? 'admin_' : '';
      if (typeof value === 'boolean') return { directive: `php_${admin}flag`, key, value: value ? 'on' : 'off' };
      if (key === 'error_reporting')
        return { directive: `php_${admin}value`, key, value: String(ERROR_REPORTING[value as keyof typeof ERROR_REPORTING]) };
      return { directive: `php_${admin}value`, key, value: String(value) };
    });
}

const VERSION = /^[5-9]\.[0-9]{1,2}$/;

/** A setting with `{version}` placeholders, for one PHP version. */
const forVersion = (config: Record<string, string>, key: string, version: string) => (config[key] ?? '').replaceAll('{version}', version);

const phpFpm: BackendDefinition<WebAppSpec> = {
  name: 'php-fpm',
  label: 'PHP-FPM',
  templates: 'provisioning/webapp/php-fpm',
  files: { pool: 'pool.conf.liquid' },
  config: {
    // Versions installed on the host, the first being the default; `{version}` in the settings below becomes each.
    'php.versions': '8.2',
    // Each version's php-fpm.conf includes `<pool_dir>/*.conf` once (see templates/provisioning/webapp/README.md).
    'php.pool_dir': '/etc/php/{version}/fpm/consort',
    'php.run_dir': '/run/php',
    'php.fpm': 'php-fpm{version}',
    'php.reload': 'systemctl reload php{version}-fpm',
    // The web server's user: it alone may connect to the pools' sockets.
    'php.listen_owner': 'www-data',
    'php.max_children': '20',
  },
  context: ({ service, config }) => {
    const spec = service.spec;
    const versions = settingList(config, 'php.versions', VERSION, 'PHP versions such as 8.2');
    const version = spec.phpVersion ?? versions[0]!;
    if (!versions.includes(version)) {
      throw new DomainError(
        'php_version_unavailable',
        `This host offers PHP ${versions.join(', ')}, not ${version} (host setting php.versions)`,
      );
    }
    const cap = settingInt(config, 'php.max_children', 1, 1000);
    if (spec.type === 'php' && spec.processes.maxChildren > cap) {
      throw new DomainError('too_many_processes', `This host allows at most ${cap} processes per app (host setting php.max_children)`);
    }
    const poolDir = (v: string) => settingPath(config, 'php.pool_dir', forVersion(config, 'php.pool_dir', v));
    const runDir = settingPath(config, 'php.run_dir');
    const owner = settingPosixName(config, 'php.listen_owner');
    const p = spec.processes;
    const bounds = dynamicBounds(p);
    return {
      app: spec.name,
      version,
      is_php: spec.type === 'php' ? 'yes' : 'no',
      is_disabled: spec.disabled ? 'yes' : 'no',
      user: spec.systemUser,
      pool_dir: poolDir(version),
      // A pool moved to another version leaves the old version's folder.
      other_pool_dirs: versions.filter((v) => v !== version).map(poolDir),
      socket: `${runDir === '/' ? '' : runDir}/${spec.name}.sock`,
      listen_owner: owner,
      pm: p.manager,
      max_children: p.maxChildren,
      start_servers: bounds.start,
      min_spare_servers: bounds.min,
      max_spare_servers: bounds.max,
      idle_timeout: p.idleTimeoutSeconds,
      max_requests: p.maxRequests,
      ini: iniLines(spec.phpOptions),
      fpm: forVersion(config, 'php.fpm', version),
    };
  },
};

export const webApp = defineServiceType({
  kind: 'webapp',
  label: 'Web app (PHP-FPM)',
  spec: WebAppSpec,
  ui: {
    order: ['name', 'type', 'systemUser', 'phpVersion', 'processes', 'phpOptions'],
    identity: ['name'],
    fields: {
      name: { label: 'App name' },
      type: { label: 'Type', options: { static: 'Static (files only)' } },
      systemUser: { label: 'System user', widget: 'select', ref: { kind: 'systemuser' } },
      phpVersion: { label: 'PHP version', placeholder: '8.2' },
      processes: { label: 'Processes', widget: 'json' },
      phpOptions: { label: 'php.ini options', widget: 'json' },
    },
    translations: webAppTranslations,
  },
  identity: (spec) => spec.name,
  references: webAppReferences,
  metrics: {
    webapps: () => 1,
    phpApps: (spec) => (spec.type === 'php' ? 1 : 0),
    processes: (spec) => (spec.type === 'php' ? spec.processes.maxChildren : 0),
  },
  backends: [phpFpm],
});
