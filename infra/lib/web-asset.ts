import { chmodSync, cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { REPO_ROOT } from './constructs/app-function';

export const WEB_DIR = join(REPO_ROOT, 'web');
export const PLACEHOLDER_DIR = join(REPO_ROOT, 'infra', 'assets', 'web-placeholder');

/** True when `npm run build:web` has produced a standalone Next.js server. */
export function hasStandaloneBuild(webDir = WEB_DIR): boolean {
  return existsSync(join(webDir, '.next', 'standalone'));
}

/**
 * The web function's package: Next.js `output: 'standalone'` plus what standalone leaves out
 * (`.next/static`, `public/`) and a `run.sh` that the Lambda Web Adapter's `/opt/bootstrap` runs.
 * Assembled by CDK "local bundling" in plain Node (no Docker); CDK skips it for stacks excluded from
 * bundling, so tests never need a build.
 */
export function nextStandaloneCode(webDir = WEB_DIR): Code {
  return Code.fromAsset(join(webDir, '.next'), {
    exclude: ['cache', 'cache/**'],
    bundling: {
      // Required by the API; never pulled because local bundling always succeeds.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-bookworm-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          assembleStandalone(webDir, outputDir);
          return true;
        },
      },
    },
  });
}

/** The placeholder app (a 503 page) for deploying the stack shape before the web app exists. */
export function placeholderCode(): Code {
  return Code.fromAsset(PLACEHOLDER_DIR);
}

/** Copy a standalone build into `outputDir` in the layout `run.sh` expects. Exported for tests. */
export function assembleStandalone(webDir: string, outputDir: string): void {
  const standalone = join(webDir, '.next', 'standalone');
  if (!existsSync(standalone)) throw new Error(`No Next.js standalone build in ${standalone}: run \`npm run build:web\` first.`);
  const appDir = findServerDir(standalone, webDir);
  // Workspace packages are symlinks in node_modules: copy what they point to.
  cpSync(standalone, outputDir, { recursive: true, dereference: true });
  const target = join(outputDir, appDir);
  const staticDir = join(webDir, '.next', 'static');
  if (existsSync(staticDir)) cpSync(staticDir, join(target, '.next', 'static'), { recursive: true });
  const publicDir = join(webDir, 'public');
  if (existsSync(publicDir)) cpSync(publicDir, join(target, 'public'), { recursive: true });
  const runSh = join(outputDir, 'run.sh');
  writeFileSync(runSh, `#!/bin/bash\nexec node ${appDir ? `${appDir}/` : ''}server.js\n`);
  chmodSync(runSh, 0o755);
}

/**
 * `server.js` sits at the standalone root, or (when Next traces from the monorepo root) under the
 * app's path relative to that root, e.g. `web/server.js`.
 */
function findServerDir(standalone: string, webDir: string): string {
  if (existsSync(join(standalone, 'server.js'))) return '';
  const nested = join(standalone, relative(REPO_ROOT, webDir));
  if (existsSync(join(nested, 'server.js'))) return relative(standalone, nested);
  for (const entry of readdirSync(standalone, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'node_modules' && existsSync(join(standalone, entry.name, 'server.js'))) return entry.name;
  }
  throw new Error(`No server.js in ${standalone}: is \`output: 'standalone'\` set in web/next.config?`);
}
