// The web app's only way to data: the REST API, called from the server with the signed-in user's token.
import { headers } from 'next/headers';
import { forbidden, notFound, redirect } from 'next/navigation';
import { getAuth } from './auth';
import { apiBaseUrl } from './env';
import { log } from './log';

/** One issue of a 422 response (zod-issue-shaped). */
export interface ApiIssue {
  path: (string | number)[];
  message: string;
}

/** A non-2xx answer from the API: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The 422 issues, when there are any. */
  get issues(): ApiIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is ApiIssue =>
        typeof d === 'object' && d !== null && Array.isArray((d as ApiIssue).path) && typeof (d as ApiIssue).message === 'string',
    );
  }
}

export type Query = Record<string, string | number | undefined | null>;

/** `?a=1&b=2` from the defined values of `query` (empty string when none). */
export function queryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

interface RequestOptions {
  body?: unknown;
  token?: string;
}

/** Call the API; throws {@link ApiError} for error statuses. */
export async function request<T>(method: string, path: string, { body, token }: RequestOptions = {}): Promise<T> {
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl()}${path}`, {
      method,
      cache: 'no-store',
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    log.error('API unreachable', { method, path, error: String(error) });
    throw new ApiError(503, 'unavailable', 'The API cannot be reached');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.status >= 500) log.error('API error', { method, path, status: res.status, code: error?.code, ms: Date.now() - started });
    throw new ApiError(res.status, error?.code ?? 'error', error?.message ?? res.statusText, error?.details);
  }
  return json as T;
}

/** Where the current request came from (set by the middleware), for "sign in and come back". */
async function currentPath(): Promise<string> {
  const path = (await headers()).get('x-consort-path');
  return path && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

/**
 * Call the API as the signed-in user. Without a session it redirects to the login page; a 401 (expired or
 * revoked token) goes through `/auth/expired`, which clears the session cookie; a 404 renders the not-found page
 * for reads.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const auth = await getAuth();
  if (!auth) redirect(`/login?next=${encodeURIComponent(await currentPath())}`);
  try {
    return await request<T>(method, path, { body, token: auth.apiToken });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect(`/auth/expired?next=${encodeURIComponent(await currentPath())}`);
    throw error;
  }
}

/** GET for pages: a 404 shows the not-found page and a 403 the forbidden page. */
export async function apiGet<T>(path: string, query?: Query): Promise<T> {
  try {
    return await api<T>('GET', `${path}${queryString(query)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    if (error instanceof ApiError && error.status === 403) forbidden();
    throw error;
  }
}
