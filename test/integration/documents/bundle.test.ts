import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { renderBillPdf } from '@consort/shared/documents/pdf';
import { CREATE_REQUIRE_BANNER, REPO_ROOT, standardFontsCommands } from '../../../infra/lib/constructs/app-function';
import { createInvoiceModel } from '../../fixtures/factories/render-models';

// A Lambda bundle renders PDFs: esbuild with AppFunction's settings (ESM, banner, module-first fields), then
// AppFunction's after-bundling commands, then the bundle run by itself from a folder without node_modules.

describe('PDF rendering inside a Lambda bundle', () => {
  it('renders the same bytes as in-process, with pdfkit’s standard fonts shipped beside the bundle', async () => {
    const out = mkdtempSync(join(tmpdir(), 'consort-bundle-'));
    await build({
      entryPoints: [join(REPO_ROOT, 'test/fixtures/bundle/render-pdf.ts')],
      outfile: join(out, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      banner: { js: CREATE_REQUIRE_BANNER },
      minify: true,
      logLevel: 'silent',
    });
    for (const command of standardFontsCommands(REPO_ROOT.replace(/\/$/, ''), out)) execFileSync('bash', ['-c', command]);
    const printed = execFileSync(process.execPath, ['index.mjs'], { cwd: out }).toString().trim();
    const expected = createHash('sha256')
      .update(await renderBillPdf(createInvoiceModel('es')))
      .digest('hex');
    expect(printed).toBe(expected);
  });
});
