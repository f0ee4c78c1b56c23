import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { startTestStack } from '../../support/stack';

// A request that outlives the function's time (API Gateway's 29 s; here 1 ms, so any request that waits on the
// database does) answers 503 `timeout` with Retry-After — not the opaque 500 middy's default timeout error became —
// and the work it started still finishes: the caller is told to check before repeating it.

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ apiTimeoutMs: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

describe('requests that run out of time', () => {
  it('answer 503 timeout with Retry-After, and the work they started still completes', async () => {
    const slug = `late-${Date.now().toString(36)}`;
    const signup = {
      organisation: 'Late Hosting',
      slug,
      country: 'ES',
      currency: 'EUR',
      locale: 'en',
      timeZone: 'Europe/Madrid',
      ownerName: 'Late Owner',
      email: `owner@${slug}.example.org`,
      password: 'correct-horse-battery',
    };
    const res = await fetch(`${stack.apiUrl}/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signup),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(503);
    expect(body.error).toEqual({ code: 'timeout', message: expect.stringContaining('check before repeating it') });
    expect(res.headers.get('retry-after')).toBe('2');
    // The signup went on after the answer: the organisation exists.
    let id: string | undefined;
    for (let i = 0; i < 200 && !id; i++) {
      id = await stack.deps.store.tenants.idBySlug(slug);
      if (!id) await new Promise((r) => setTimeout(r, 25));
    }
    expect((await stack.deps.store.tenants.get(id!))?.slug).toBe(slug);
  });
});
