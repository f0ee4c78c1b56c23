#!/usr/bin/env node
// The package proxy on our build machines serves only linux-x64 platform packages, so `npm install`
// writes a lock file without entries for other platforms' optional binaries (e.g. @rollup/rollup-darwin-arm64),
// and `npm ci` then refuses the lock as "out of sync". This adds those entries, marked optional with the
// os/cpu/libc their names encode, so npm ci skips them on this platform and still resolves them elsewhere.
// Run after every `npm install`: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = {
  android: 'android',
  darwin: 'darwin',
  freebsd: 'freebsd',
  linux: 'linux',
  openbsd: 'openbsd',
  openharmony: 'openharmony',
  win32: 'win32',
  sunos: 'sunos',
  netbsd: 'netbsd',
  aix: 'aix',
};
const CPU = {
  arm: 'arm',
  'arm-eabi': 'arm',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
  wasm32: 'wasm32',
  mips64el: 'mips64el',
};

function platformOf(name) {
  const base = name.split('/').pop();
  const parts = base.split('-');
  const osIndex = parts.findIndex((p) => p in OS);
  if (osIndex < 0) return undefined;
  const os = OS[parts[osIndex]];
  const rest = parts.slice(osIndex + 1);
  const cpuKey = rest[0] === 'arm' && rest[1] === 'eabi' ? 'arm-eabi' : rest[0];
  const cpu = CPU[cpuKey];
  if (!cpu) return undefined;
  const abi = rest.slice(cpuKey === 'arm-eabi' ? 2 : 1).join('-');
  const libc = /musl/.test(abi) ? 'musl' : os === 'linux' && /gnu/.test(abi) ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [location, meta] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const parent = location ? `${location}/node_modules/${dep}` : `node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (packages[parent] || packages[hoisted]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[hoisted] = {
      version,
      ...(meta.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
