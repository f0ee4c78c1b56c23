import { hasCommand } from '../../functions/src/local/preflight';

/**
 * Whether a host tool (sshd, named-checkzone, chromium…) is available. Outside CI a missing tool lets the suite
 * skip with a hint; in CI (`CI=true`, where .ci/run installs the Debian packages) it is an error, so no suite
 * silently skips there.
 */
export function requireTool(command: string, debianPackage: string): boolean {
  const found = hasCommand(command);
  if (!found && process.env.CI === 'true')
    throw new Error(`${command} is required in CI: install the Debian package ${debianPackage} (.ci/run does).`);
  if (!found) console.warn(`Skipping tests that need ${command} (apt-get install ${debianPackage}).`);
  return found;
}
