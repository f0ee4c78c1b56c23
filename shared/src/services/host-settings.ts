import { DomainError } from '../core/errors';
import { isPosixName } from './systemuser/names';

// Checks for host settings (staff-edited data) that a backend writes into configuration files: each fails the
// render with a message naming the setting, before anything reaches a host.

// Host paths are written into daemon configuration: the same plain form the scripts' consort_path demands.
const HOST_PATH = /^\/[A-Za-z0-9._/+@-]*$/;

/** An absolute path of plain characters, without `..`; a trailing slash is dropped. */
export function settingPath(config: Record<string, string>, key: string, value = config[key] ?? ''): string {
  if (!HOST_PATH.test(value) || value.split('/').includes('..')) {
    throw new DomainError(
      'invalid_host_config',
      `Host setting ${key} must be an absolute path of letters, digits and ._/+@- (got "${value}")`,
    );
  }
  return value.replace(/(.)\/+$/, '$1');
}

/** `true` or `false`. */
export function settingFlag(config: Record<string, string>, key: string): boolean {
  const value = config[key];
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DomainError('invalid_host_config', `Host setting ${key} must be true or false (got "${value ?? ''}")`);
}

/** A whole number between `min` and `max`. */
export function settingInt(config: Record<string, string>, key: string, min: number, max: number): number {
  const value = config[key] ?? '';
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

/** A unix user or group name (POSIX form), e.g. the user a daemon runs as. */
export function settingPosixName(config: Record<string, string>, key: string): string {
  const value = config[key] ?? '';
  if (!isPosixName(value)) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be a unix user or group name (got "${value}")`);
  }
  return value;
}

/** A list separated by blanks or commas, each entry matching `pattern`. */
export function settingList(config: Record<string, string>, key: string, pattern: RegExp, what: string): string[] {
  const items = (config[key] ?? '').split(/[\s,]+/).filter(Boolean);
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined || items.length === 0) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must list ${what} (got "${config[key] ?? ''}")`);
  }
  return items;
}
