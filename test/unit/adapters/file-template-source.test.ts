import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { NotFoundError } from '@consort/shared/core/errors';

describe('FileTemplateSource', () => {
  const base = mkdtempSync(join(tmpdir(), 'consort-templates-'));
  const root = join(base, 'templates');
  mkdirSync(join(root, 'provisioning', 'x'), { recursive: true });
  writeFileSync(join(root, 'provisioning', 'x', 'save.sh.liquid'), 'echo {{ name }}\n');
  writeFileSync(join(base, 'secret.txt'), 'outside');
  symlinkSync(join(base, 'secret.txt'), join(root, 'provisioning', 'x', 'link.liquid'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('reads templates by relative path and caches them', async () => {
    const source = new FileTemplateSource(root);
    expect(await source.read('provisioning/x/save.sh.liquid')).toBe('echo {{ name }}\n');
    writeFileSync(join(root, 'provisioning', 'x', 'save.sh.liquid'), 'changed');
    expect(await source.read('provisioning/x/save.sh.liquid')).toBe('echo {{ name }}\n');
  });

  it.each([
    '../secret.txt',
    'provisioning/../../secret.txt',
    '/etc/passwd',
    join(root, 'provisioning/x/save.sh.liquid'),
    'provisioning\\x\\save.sh.liquid',
    './provisioning/x/save.sh.liquid',
    'provisioning//x/save.sh.liquid',
    '',
    'a\0b',
  ])('refuses the path %j', async (path) => {
    await expect(new FileTemplateSource(root).read(path)).rejects.toMatchObject({ code: 'template_path_invalid' });
  });

  it('refuses a symlink that leads outside the folder', async () => {
    await expect(new FileTemplateSource(root).read('provisioning/x/link.liquid')).rejects.toThrow(/outside the templates folder/);
  });

  it('reports a missing template as not found, and finds it once it exists', async () => {
    const source = new FileTemplateSource(root);
    await expect(source.read('provisioning/x/later.sh.liquid')).rejects.toBeInstanceOf(NotFoundError);
    writeFileSync(join(root, 'provisioning', 'x', 'later.sh.liquid'), 'now');
    expect(await source.read('provisioning/x/later.sh.liquid')).toBe('now');
  });
});
