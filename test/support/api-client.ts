import { randomBytes } from 'node:crypto';

/** A tiny typed fetch wrapper for tests and benchmarks: returns status and parsed JSON body. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export function apiClient(baseUrl: string, token?: string) {
  async function request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as T) : (undefined as T) };
  }
  return {
    get: <T = any>(path: string) => request<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body ?? {}, headers),
    patch: <T = any>(path: string, body: unknown) => request<T>('PATCH', path, body),
    delete: <T = any>(path: string) => request<T>('DELETE', path),
    request,
    withToken: (t: string) => apiClient(baseUrl, t),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Sign up a fresh tenant with unique slug and e-mail; returns its owner's client and ids. */
export async function signupTenant(baseUrl: string, name = 'Tenant') {
  const suffix = randomBytes(4).toString('hex');
  const anon = apiClient(baseUrl);
  const password = `correct-horse-${suffix}`;
  const res = await anon.post('/v1/signup', {
    organisation: `${name} ${suffix}`,
    slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${suffix}`,
    country: 'ES',
    currency: 'EUR',
    locale: 'en',
    timeZone: 'Europe/Madrid',
    ownerName: `${name} Owner`,
    email: `owner-${suffix}@${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example.org`,
    password,
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    client: apiClient(baseUrl, res.body.token as string),
    tenant: res.body.tenant as { id: string; slug: string; provisioningPublicKey: string },
    user: res.body.user as { id: string; email: string },
    password,
  };
}
