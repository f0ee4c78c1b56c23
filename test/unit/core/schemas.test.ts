import { describe, expect, it } from 'vitest';
import { HostPatch } from '@consort/shared/fleet/model';
import { AccountPatch } from '@consort/shared/accounts/model';

describe('patch schemas', () => {
  it('leave omitted fields out instead of filling in their defaults', () => {
    expect(HostPatch.parse({ config: { 'bind.reload': 'true' } })).toEqual({ config: { 'bind.reload': 'true' } });
    expect(HostPatch.parse({})).toEqual({});
  });

  it('still validate the fields that are given', () => {
    expect(HostPatch.safeParse({ transport: 'telnet' }).success).toBe(false);
    expect(HostPatch.safeParse({ port: 70000 }).success).toBe(false);
    expect(AccountPatch.safeParse({ email: 'not-an-email' }).success).toBe(false);
  });
});
