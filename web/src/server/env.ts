// Server-side configuration, read when first used (never at build time, where it is absent).

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; the web app needs it at runtime`);
  return value;
}

/** Base URL of the Consort REST API, e.g. `http://127.0.0.1:4000` (no trailing slash). */
export function apiBaseUrl(): string {
  return required('CONSORT_API_URL').replace(/\/+$/, '');
}

/** Key that encrypts the session cookie (next-auth's JWE). */
export function authSecret(): string {
  const secret = process.env.NEXTAUTH_SECRET ?? process.env.AUTH_SECRET;
  if (!secret) throw new Error('NEXTAUTH_SECRET is not set; the web app needs it to sign people in');
  return secret;
}

/**
 * Whether cookies get the `Secure` flag and the `__Secure-` prefix: on https origins and on AWS (behind
 * CloudFront, where NEXTAUTH_URL is only set with a custom domain).
 */
export function secureCookies(): boolean {
  return (process.env.NEXTAUTH_URL ?? '').startsWith('https://') || process.env.CONSORT_RUNTIME === 'aws';
}
