'use server';
// Sign-in, signup, sign-out and the language choice.
import { revalidatePath } from 'next/cache';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { isLocale, LOCALE_COOKIE, type Locale } from '@/i18n';
import type { FormState } from '@/components/form-state';
import { ApiError, request } from '../api';
import { clearSession, createSession, getAuth, homeFor, signInWithPassword } from '../auth';
import { secureCookies } from '../env';
import type { SessionResponse, Tenant, User } from '../types';
import { handleForm, optional, str } from './form';

/** A same-site path to return to, or undefined. */
function safePath(value: string): string | undefined {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : undefined;
}

async function rememberLocale(locale: Locale) {
  (await cookies()).set(LOCALE_COOKIE, locale, { path: '/', sameSite: 'lax', secure: secureCookies(), maxAge: 365 * 24 * 60 * 60 });
}

/** After sign-in: the user's language wins over a choice made on the login page by someone else. */
async function startSession(res: SessionResponse) {
  const data = await createSession(res);
  const locale = data.user.locale ?? data.tenant.locale;
  if (isLocale(locale)) await rememberLocale(locale);
  return data;
}

export async function login(_state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      const res = await signInWithPassword({
        organisation: str(formData, 'organisation').toLowerCase(),
        email: str(formData, 'email'),
        password: String(formData.get('password') ?? ''),
      });
      const data = await startSession(res);
      const home = homeFor(data.user.role);
      const next = safePath(str(formData, 'next'));
      redirect(next && next.startsWith(home) ? next : home);
    },
    { secret: ['password'] },
  );
}

export async function signup(_state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      const res = await request<{ tenant: Tenant; user: User; token: string; expiresAt: string }>('POST', '/v1/signup', {
        body: {
          organisation: str(formData, 'organisation'),
          slug: str(formData, 'slug').toLowerCase(),
          country: str(formData, 'country'),
          currency: str(formData, 'currency'),
          locale: str(formData, 'locale'),
          timeZone: optional(formData, 'timeZone'),
          ownerName: str(formData, 'ownerName'),
          email: str(formData, 'email'),
          password: String(formData.get('password') ?? ''),
        },
      });
      await startSession(res);
      redirect('/admin');
    },
    { secret: ['password'] },
  );
}

export async function signOut(): Promise<void> {
  const auth = await getAuth();
  if (auth) {
    try {
      await request('DELETE', '/v1/auth/sessions/current', { token: auth.apiToken });
    } catch (error) {
      // Signing out locally still matters when the API already forgot the session.
      if (!(error instanceof ApiError)) throw error;
    }
  }
  await clearSession();
  redirect('/login');
}

/** The language switcher: remember the choice in a cookie and on the user. */
export async function setLocale(formData: FormData): Promise<void> {
  const locale = str(formData, 'locale');
  const back = safePath(str(formData, 'returnTo')) ?? '/';
  if (!isLocale(locale)) redirect(back);
  await rememberLocale(locale);
  const auth = await getAuth();
  if (auth) {
    try {
      await request('PATCH', '/v1/me', { token: auth.apiToken, body: { locale } });
    } catch (error) {
      // The cookie already holds the choice; an expired session is handled by the next page.
      if (!(error instanceof ApiError)) throw error;
    }
  }
  revalidatePath('/', 'layout');
  redirect(back);
}
