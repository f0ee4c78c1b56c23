import { describe, expect, it } from 'vitest';
import type { BackendDefinition } from '@consort/shared/services/define-service-type';
import {
  controlFiles,
  headerPhrase,
  mailingList,
  mailingListReferences,
  MailingListSpec,
  type MailingListSpec as Spec,
} from '@consort/shared/services/mailinglist/index';

const mlmmj = mailingList.backends[0] as BackendDefinition<Spec>;
const base = { name: 'news', domain: 'Lists.Example.org', admin: 'Owner@Example.org' };

const issues = (value: unknown) => {
  const result = MailingListSpec.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('mailing list spec', () => {
  it('normalises the address and needs a domain of the account covering it', () => {
    const spec = MailingListSpec.parse(base);
    expect(spec).toMatchObject({
      name: 'news',
      domain: 'lists.example.org',
      admin: 'owner@example.org',
      archive: 'private',
      language: 'en',
    });
    expect(mailingList.identity(spec)).toBe('news@lists.example.org');
    expect(mailingListReferences(spec)).toEqual([
      expect.objectContaining({ kind: 'domain', anyOf: ['lists.example.org', 'example.org'], path: ['domain'] }),
    ]);
  });

  it('refuses names mlmmj or Postfix would read otherwise, and reserved mailboxes', () => {
    for (const name of ['news+subscribe', 'a--b', '-news', 'news.', 'a..b', 'ne ws', 'ñews', '']) {
      expect(issues({ ...base, name })[0], name).toMatch(/^name: Use 1–60/);
    }
    expect(issues({ ...base, name: 'postmaster' })).toEqual([
      'name: This address is reserved for a person or the mail system; choose another',
    ]);
    expect(issues({ ...base, admin: 'not an address' })[0]).toMatch(/^admin/);
    expect(issues({ ...base, description: 'two\nlines' })[0]).toMatch(/^description: Use a single line/);
    expect(issues({ ...base, subjectPrefix: '  ' })[0]).toMatch(/^subjectPrefix/);
    expect(issues({ ...base, archive: 'web' })[0]).toMatch(/^archive/);
  });

  it('sets the control files of the spec and leaves the others unset', () => {
    const spec = MailingListSpec.parse({ ...base, description: 'Team "news" \\ notes', subjectPrefix: '[news]', archive: 'none' });
    expect(controlFiles(spec)).toEqual({
      listaddress: 'news@lists.example.org',
      owner: 'owner@example.org',
      customheaders: 'List-Id: "Team \\"news\\" \\\\ notes" <news.lists.example.org>',
      prefix: '[news]',
      noarchive: '',
      noget: '',
      subonlyget: undefined,
    });
    expect(controlFiles(MailingListSpec.parse(base))).toMatchObject({ prefix: undefined, noarchive: undefined, subonlyget: '' });
    expect(headerPhrase('Notícies')).toBe(`=?UTF-8?B?${Buffer.from('Notícies').toString('base64')}?=`);
  });

  it('derives the list folder and both Postfix entries from the validated address', () => {
    const ctx = mlmmj.context({
      service: { id: 'svc_1', accountId: 'acc_1', name: 'news@lists.example.org', spec: MailingListSpec.parse(base), state: {} },
      tenant: { id: 'ten_1', slug: 'acme', settings: {} as never },
      config: { ...mlmmj.config, 'mlmmj.spool_dir': '/srv/mlmmj/' },
    });
    expect(ctx).toMatchObject({
      list_dir: '/srv/mlmmj/lists.example.org/news',
      transport_address: 'lists.example.org--news@localhost.mlmmj',
      transport_target: 'mlmmj:lists.example.org/news',
      texts: '/usr/share/mlmmj/text.skel/en',
      control_unset: ['prefix', 'noarchive', 'noget'],
    });
    expect(() =>
      mlmmj.context({
        service: { id: 'svc_1', accountId: 'acc_1', name: 'x', spec: MailingListSpec.parse(base), state: {} },
        tenant: { id: 'ten_1', slug: 'acme', settings: {} as never },
        config: { ...mlmmj.config, 'mlmmj.user': 'mlmmj; id' },
      }),
    ).toThrow(/mlmmj.user/);
  });
});
