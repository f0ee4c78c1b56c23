import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { defineServiceType } from '../define-service-type';
import type { Tenant } from '../../tenancy/model';
import { DnsRecordInput, DomainName, HostTarget, nextSerial, recordData, type DnsRecord } from './records';
import { domainTranslations } from './translations';

export * from './records';

/** A domain with its DNS zone. Records left out are filled from the tenant's DNS defaults. */
export const DomainSpec = z.object({
  name: DomainName,
  records: z.array(DnsRecordInput).max(500).optional(),
  ttl: z.number().int().min(60).max(604800).optional(),
});
export type DomainSpec = z.output<typeof DomainSpec>;

const DnsRecords = z.array(DnsRecordInput);

/** Fill the tenant's DNS defaults (TTL, default records) into a spec that leaves them out. */
export function domainWithDefaults(spec: DomainSpec, tenant: Pick<Tenant, 'settings'>): DomainSpec {
  return {
    ...spec,
    ttl: spec.ttl ?? tenant.settings.dns.ttl,
    records: spec.records ?? DnsRecords.parse(tenant.settings.dns.defaultRecords),
  };
}

/** `@` → the zone apex; `name.` stays absolute; anything else is relative to the zone. */
function absolute(name: string, zone: string): string {
  if (name === '@') return `${zone}.`;
  return name.endsWith('.') ? name : `${name}.${zone}.`;
}

/** A tenant nameserver: a dotted name is taken as absolute (`ns1.example.net`), a single label as in the zone. */
function nameserver(value: string, zone: string): string {
  const parsed = HostTarget.safeParse(value);
  if (!parsed.success || parsed.data === '@') {
    throw new DomainError('invalid_dns_settings', `The nameserver "${value}" in the tenant DNS settings is not a host name`);
  }
  const name = parsed.data;
  return name.endsWith('.') || !name.includes('.') ? absolute(name, zone) : `${name}.`;
}

/** SOA RNAME: `hostmaster@example.org` → `hostmaster.example.org.`, dots in the local part escaped (RFC 1035 §8). */
function soaMailbox(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).replace(/[^A-Za-z0-9_+-]/g, (c) => `\\${c}`);
  return `${local}.${email.slice(at + 1)}.`;
}

function seconds(config: Record<string, string>, key: string): number {
  const value = config[key] ?? '';
  if (!/^\d{1,10}$/.test(value) || Number(value) > 2147483647) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be a number of seconds (got "${value}")`);
  }
  return Number(value);
}

export const domain = defineServiceType({
  kind: 'domain',
  label: 'Domain and DNS zone',
  spec: DomainSpec,
  ui: {
    order: ['name', 'ttl', 'records'],
    identity: ['name'],
    fields: {
      name: { label: 'Domain name', placeholder: 'example.org' },
      ttl: { label: 'Default TTL (seconds)', help: 'Leave empty for the organisation default' },
      records: { label: 'DNS records', widget: 'json', help: 'Edited with the records editor on the domain page' },
    },
    translations: domainTranslations,
  },
  // Customers edit their zone's records; registering or removing a domain stays with staff.
  customer: { create: false, change: true, delete: false, fields: ['records'] },
  identity: (spec) => spec.name,
  withDefaults: domainWithDefaults,
  nextState: (previous, now) => ({
    ...previous,
    serial: nextSerial(typeof previous.serial === 'number' ? previous.serial : undefined, now),
  }),
  metrics: { domains: () => 1, records: (spec) => spec.records?.length ?? 0 },
  backends: [
    {
      name: 'bind',
      label: 'BIND 9 primary',
      templates: 'provisioning/domain/bind',
      // Rendered with the text engine and given to the scripts as `files.zone`.
      files: { zone: 'zone.db.liquid' },
      config: {
        'bind.zones_dir': '/etc/bind/consort',
        'bind.conf_file': '/etc/bind/named.conf.consort',
        'bind.checkzone': 'named-checkzone',
        'bind.reload': 'rndc reload',
        'bind.soa_refresh': '10800',
        'bind.soa_retry': '3600',
        'bind.soa_expire': '1209600',
        'bind.soa_minimum': '3600',
      },
      context: ({ service, tenant, config }) => {
        const spec = domainWithDefaults(service.spec, tenant);
        const zone = spec.name;
        const dns = tenant.settings.dns;
        const records: DnsRecord[] = spec.records ?? [];
        const hasApexNs = records.some((r) => r.type === 'NS' && r.name === '@');
        const nameservers = dns.nameservers.map((n) => nameserver(n, zone));
        const ns: DnsRecord[] = hasApexNs ? [] : nameservers.map((value) => ({ type: 'NS', name: '@', value }));
        const apexNs = records.find((r) => r.type === 'NS' && r.name === '@');
        const serial = service.state.serial ?? nextSerial(undefined, new Date(0));
        if (typeof serial !== 'number' || !Number.isInteger(serial) || serial < 1 || serial > 4294967295) {
          throw new DomainError('invalid_state', `The DNS serial of ${zone} is not a valid SOA serial`);
        }
        return {
          zone,
          serial,
          ttl: spec.ttl ?? dns.ttl,
          primary_ns: apexNs ? absolute(apexNs.value, zone) : nameservers[0]!,
          hostmaster: soaMailbox(dns.hostmaster),
          refresh: seconds(config, 'bind.soa_refresh'),
          retry: seconds(config, 'bind.soa_retry'),
          expire: seconds(config, 'bind.soa_expire'),
          minimum: seconds(config, 'bind.soa_minimum'),
          records: [...ns, ...records].map((r) => ({ owner: r.name, ttl: r.ttl ?? '', type: r.type, data: recordData(r) })),
          zones_dir: config['bind.zones_dir'],
          conf_file: config['bind.conf_file'],
          checkzone: config['bind.checkzone'],
        };
      },
    },
  ],
});
