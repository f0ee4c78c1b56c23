import { execFileSync } from 'node:child_process';

/**
 * Whether a host tool (sshd, named-checkzone, chromium…) is available. Outside CI a missing tool lets the suite
 * skip with a hint; in CI (`CI=true`, where .ci/run installs the Debian packages) it is an error, so no suite
 * silently skips there.
 */
export function requireTool(command: string, debianPackage: string): boolean {
  let found = false;
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    found = true;
  } catch {
    found = false;
  }
  if (!found && process.env.CI === 'true')
    throw new Error(`${command} is required in CI: install the Debian package ${debianPackage} (.ci/run does).`);
  if (!found) console.warn(`Skipping tests that need ${command} (apt-get install ${debianPackage}).`);
  return found;
}
