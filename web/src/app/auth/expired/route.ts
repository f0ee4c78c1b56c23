// GET /auth/expired — where a page goes when the API answers 401: drop the stale session, then sign in again.
import type { NextRequest } from 'next/server';
import { ApiError, request } from '@/server/api';
import { clearSession, getAuth } from '@/server/auth';

/** A relative redirect: the browser resolves it against the address it used (whatever proxies say). */
function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

function safeNext(value: string | null): string | undefined {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/auth/') ? value : undefined;
}

export async function GET(req: NextRequest) {
  const next = safeNext(req.nextUrl.searchParams.get('next'));
  const auth = await getAuth();
  if (auth) {
    // Only a token the API really rejects is dropped, so a link from elsewhere cannot sign anyone out.
    try {
      await request('GET', '/v1/me', { token: auth.apiToken });
      return seeOther(next ?? '/');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      await clearSession();
    }
  }
  const query = new URLSearchParams({ reason: 'expired', ...(next ? { next } : {}) });
  return seeOther(`/login?${query}`);
}
