// Sign-in, sessions and roles. next-auth v4 owns the session format (an encrypted JWT in a cookie, strategy
// `jwt`) and the credentials provider; the API owns passwords (scrypt) and issues the bearer token we keep in
// the JWT. See docs/web.md "Auth flow".
import type { NextAuthOptions, User as NextAuthUser } from 'next-auth';
import { decode, encode, type JWT } from 'next-auth/jwt';
import CredentialsProvider from 'next-auth/providers/credentials';
import { cookies } from 'next/headers';
import { cache } from 'react';
import { ApiError, request } from './api';
import { authSecret, secureCookies } from './env';
import type { SessionResponse, TenantSummary, UserRole } from './types';

/** What the session cookie carries. The API token never leaves the server (see the `session` callback). */
export interface SessionData {
  apiToken: string;
  /** When the API token expires (ISO 8601); the cookie expires with it. */
  expiresAt: string;
  user: { id: string; name: string; email: string; role: UserRole; accountId?: string; locale?: string };
  tenant: Pick<TenantSummary, 'id' | 'name' | 'slug' | 'locale'>;
}

declare module 'next-auth' {
  interface Session {
    user: { id: string; name: string; email: string; role: 'staff' | 'customer'; staffRole?: string; accountId?: string };
    tenant: { id: string; name: string; slug: string };
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    consort?: SessionData;
  }
}

/** A staff user goes to the admin portal, a customer to the member portal. */
export function homeFor(role: UserRole): '/admin' | '/portal' {
  return role === 'customer' ? '/portal' : '/admin';
}

function toSessionData(res: SessionResponse): SessionData {
  const { user, tenant } = res;
  return {
    apiToken: res.token,
    expiresAt: res.expiresAt,
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      ...(user.accountId ? { accountId: user.accountId } : {}),
      ...(user.locale ? { locale: user.locale } : {}),
    },
    tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, locale: tenant.locale },
  };
}

/** The JWT for a session: the same whether next-auth's callback or our own sign-in action writes it. */
function toJwt(data: SessionData): JWT {
  return { sub: data.user.id, name: data.user.name, email: data.user.email, consort: data };
}

/** `POST /v1/auth/sessions`: the API checks the password and returns a bearer token. Throws {@link ApiError}. */
export async function signInWithPassword(credentials: { organisation: string; email: string; password: string }): Promise<SessionResponse> {
  return request<SessionResponse>('POST', '/v1/auth/sessions', { body: credentials });
}

/** The longest a session lasts even if the API were to issue longer tokens. */
const MAX_SESSION_SECONDS = 30 * 24 * 60 * 60;

function secondsUntil(iso: string): number {
  const seconds = Math.floor((Date.parse(iso) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.max(0, Math.min(seconds, MAX_SESSION_SECONDS)) : 0;
}

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  useSecureCookies: secureCookies(),
  pages: { signIn: '/login', error: '/login' },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Consort',
      credentials: {
        organisation: { label: 'Organisation', type: 'text' },
        email: { label: 'E-mail', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials) {
        if (!credentials?.organisation || !credentials.email || !credentials.password) return null;
        try {
          const res = await signInWithPassword(credentials);
          return { id: res.user.id, name: res.user.name, email: res.user.email, consort: toSessionData(res) } as NextAuthUser;
        } catch (error) {
          if (error instanceof ApiError && error.status < 500) return null;
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      const data = (user as (NextAuthUser & { consort?: SessionData }) | undefined)?.consort;
      return data ? { ...token, ...toJwt(data) } : token;
    },
    // What `/api/auth/session` and getServerSession() expose: never the API token.
    async session({ session, token }) {
      const data = token.consort;
      if (!data) return session;
      return {
        expires: data.expiresAt,
        user: {
          id: data.user.id,
          name: data.user.name,
          email: data.user.email,
          role: data.user.role === 'customer' ? 'customer' : 'staff',
          ...(data.user.role !== 'customer' ? { staffRole: data.user.role } : {}),
          ...(data.user.accountId ? { accountId: data.user.accountId } : {}),
        },
        tenant: { id: data.tenant.id, name: data.tenant.name, slug: data.tenant.slug },
      };
    },
  },
};

/** next-auth's session cookie name for our cookie security setting. */
export function sessionCookieName(): string {
  return `${secureCookies() ? '__Secure-' : ''}next-auth.session-token`;
}

/**
 * Start a session from an API sign-in or signup response: the same encrypted JWT next-auth's credentials
 * callback would set, written from a server action so that the forms work without client JavaScript.
 */
export async function createSession(res: SessionResponse): Promise<SessionData> {
  const data = toSessionData(res);
  const maxAge = secondsUntil(data.expiresAt);
  const value = await encode({ token: toJwt(data), secret: authSecret(), maxAge });
  (await cookies()).set(sessionCookieName(), value, { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies(), maxAge });
  return data;
}

/** Remove the session cookie (and any chunks next-auth may have split it into). */
export async function clearSession(): Promise<void> {
  const jar = await cookies();
  const name = sessionCookieName();
  for (const cookie of jar.getAll()) {
    if (cookie.name === name || cookie.name.startsWith(`${name}.`)) jar.delete({ name: cookie.name, path: '/' });
  }
}

/** The signed-in user's session for this request, or null. Decodes next-auth's cookie (chunked or not). */
export const getAuth = cache(async (): Promise<SessionData | null> => {
  const jar = await cookies();
  const name = sessionCookieName();
  let raw = jar.get(name)?.value;
  if (!raw) {
    const chunks = jar
      .getAll()
      .filter((c) => c.name.startsWith(`${name}.`))
      .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)));
    raw = chunks.length ? chunks.map((c) => c.value).join('') : undefined;
  }
  if (!raw) return null;
  try {
    const token = await decode({ token: raw, secret: authSecret() });
    const data = token?.consort;
    if (!data || Date.parse(data.expiresAt) <= Date.now()) return null;
    return data;
  } catch {
    // Tampered, or encrypted with another secret.
    return null;
  }
});
