/**
 * The CLI as a package: `npm pack`, then `npx ./http-load-check-<version>.tgz <port>` from an empty
 * folder, as a user without a clone runs it (npx installs the tarball from the registry's cache);
 * and on a Node.js too old for undici, one line naming the version needed instead of a crash.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { MIN_NODE_VERSION, olderThanMinimum } from '../../src/system/node-version.js';
import { CLI_BUNDLE } from '../helpers/bundle.js';
import { startServer } from '../helpers/servers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

/** A `node` on PATH other than this one, older than undici needs (the machine's own Node 20). */
function olderNode(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    const run = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (run.status === 0 && olderThanMinimum(run.stdout.trim())) return candidate;
  }
  return null;
}

describe('the CLI as a package', () => {
  it('compares versions as numbers', () => {
    assert.equal(MIN_NODE_VERSION, '22.19.0');
    for (const old of ['20.20.2', '22.18.9', '22.9.0', '8.30.0']) assert.ok(olderThanMinimum(old));
    for (const ok of ['22.19.0', '22.19.1', '22.20.0', '24.21.0', '100.0.0']) {
      assert.equal(olderThanMinimum(ok), false, ok);
    }
  });

  it('on an older Node.js: one line naming the version needed, exit 2, nothing sent', async (t) => {
    const node = olderNode();
    if (node === null) return t.skip('no Node.js older than 22.19 on PATH');
    const server = await startServer();
    try {
      const run = spawnSync(node, [CLI_BUNDLE, String(server.port)], { encoding: 'utf8' });
      assert.equal(run.status, 2);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        /^http-load-check needs Node\.js 22\.19\.0 or later; this is Node\.js \d+\.\d+\.\d+\.\n$/,
      );
      assert.equal(server.served(), 0);
    } finally {
      await server.close();
    }
  });

  it('npm pack, then npx ./<tarball> <port> from an empty folder: the standard line', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'http-load-check-npx-'));
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', folder], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    assert.equal(packed[0].filename, `http-load-check-${version}.tgz`);
    assert.deepEqual(
      packed[0].files.map((f) => f.path).sort(),
      [
        'LICENSE',
        'README.md',
        'dist/cli/index.js',
        'dist/cli/licenses.txt',
        'dist/cli/package.json',
        'package.json',
      ],
      'the CLI bundle and its papers only',
    );
    assert.deepEqual(
      readdirSync(folder),
      [packed[0].filename],
      'the folder holds the tarball alone',
    );
    const server = await startServer();
    try {
      // Not spawnSync: the server answers from this process's event loop.
      const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
        (resolve) => {
          const child = execFile(
            'npx',
            ['--yes', `./${packed[0].filename}`, String(server.port), '-d', '300ms'],
            {
              cwd: folder,
              timeout: 100_000,
              // A user's `node` is new enough (the test above covers one that is not): the bin's
              // `#!/usr/bin/env node` finds this one first.
              env: {
                ...process.env,
                PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
              },
            },
            (error, stdout, stderr) =>
              resolve({ status: error ? (child.exitCode ?? -1) : 0, stdout, stderr }),
          );
        },
      );
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(
        run.stdout,
        /^http test running\.\.\.\rhttp test running\.\.\. ok, \d+ requests made\n/,
      );
      assert.ok(server.served() > 1);
    } finally {
      await server.close();
    }
  });
});
