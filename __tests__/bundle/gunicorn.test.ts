/**
 * End to end against the original suite's shape, through the built action bundle (dist/index.js)
 * run as the runner runs it (helpers/bundle.ts): the Flask example served by gunicorn (2 sync
 * workers, which close the connection after every response). The count must equal gunicorn's own
 * access log, and the standard line must carry it.
 *
 * Needs gunicorn and Flask (`apt-get install gunicorn python3-flask`; `.ci/run` installs them). Where
 * they are missing the test is skipped, except under CI (`CI` set), where that is a failure.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAction } from '../helpers/bundle.js';
import { closedPort } from '../helpers/servers.js';

const APP_DIR = join(import.meta.dirname, '..', '..', 'examples', 'flask-gunicorn');
const hasGunicorn = spawnSync('gunicorn', ['--version']).status === 0;

describe('Flask + gunicorn example', () => {
  it(
    'the action counts exactly what gunicorn logged',
    { skip: !hasGunicorn && !process.env.CI && 'gunicorn is not installed' },
    async () => {
      assert.ok(hasGunicorn, 'gunicorn must be installed under CI (see .ci/run)');
      const port = await closedPort();
      const log = join(mkdtempSync(join(tmpdir(), 'gunicorn-')), 'access.log');
      const gunicorn = spawn(
        'gunicorn',
        [
          '-w',
          '2',
          '-b',
          `127.0.0.1:${port}`,
          '--access-logfile',
          log,
          '--chdir',
          APP_DIR,
          'app:app',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      gunicorn.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise((resolve) => gunicorn.on('close', resolve));
      try {
        const run = await runAction({
          port: String(port),
          duration: '2',
          connections: '2',
          'min-requests': '100',
          'wait-timeout': '20',
        });
        assert.equal(run.code, 0, run.stdout + stderr);
        const requests = Number(run.outputs.requests);
        assert.match(
          run.stdout,
          new RegExp(
            `http test running\\.\\.\\.\\rhttp test running\\.\\.\\. ok, ${requests} requests made\\n`,
          ),
        );
        gunicorn.kill('SIGTERM');
        await exited;
        const logged = readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line.includes('" 200 ')).length;
        // gunicorn also logged the readiness probe.
        assert.equal(requests, logged - 1, `action ${requests}, gunicorn logged ${logged}`);
        assert.equal(Number(run.outputs.errors), 0);
      } finally {
        gunicorn.kill('SIGKILL');
      }
    },
  );
});
