import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

/** The monorepo root: standalone output traces `@consort/shared` and hoisted packages from here. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

const config: NextConfig = {
  // The local stack's `next dev` builds elsewhere (functions/src/local/web.ts), so that a production build — which
  // empties `.next` — never pulls the files from under a running dev server.
  distDir: process.env.CONSORT_WEB_DIST_DIR || '.next',
  output: 'standalone',
  outputFileTracingRoot: REPO_ROOT,
  // Types and a few constants come from the domain package, which ships TypeScript sources.
  transpilePackages: ['@consort/shared'],
  poweredByHeader: false,
  reactStrictMode: true,
  // `npm run lint` at the root lints web/ with the monorepo's flat config.
  eslint: { ignoreDuringBuilds: true },
  // `forbidden()` renders app/forbidden.tsx when the API answers 403 to a page's read.
  experimental: { authInterrupts: true },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default config;
