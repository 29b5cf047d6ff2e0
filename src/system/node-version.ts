/**
 * The CLI's first import. undici 8 needs Node.js 22.19 or later, and on an older Node it throws
 * while its modules load (a TypeError about zstd) that says nothing of the version. This module is
 * evaluated before any of undici's, and ends the process with one line instead.
 */
export const MIN_NODE_VERSION = '22.19.0';

/** True when `version` (`22.19.0`, no `v`) is older than `MIN_NODE_VERSION`. */
export function olderThanMinimum(version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  const [wantMajor, wantMinor, wantPatch] = MIN_NODE_VERSION.split('.').map(Number);
  if (major !== wantMajor) return major < wantMajor;
  if (minor !== wantMinor) return minor < wantMinor;
  return patch < wantPatch;
}

if (olderThanMinimum(process.versions.node)) {
  process.stderr.write(
    `http-load-check needs Node.js ${MIN_NODE_VERSION} or later; this is Node.js ${process.versions.node}.\n`,
  );
  process.exit(2);
}
