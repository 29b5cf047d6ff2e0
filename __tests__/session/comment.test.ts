/**
 * The pull-request comment (`comment`, `github-token`), end to end in process: a real check
 * against a loopback service, then the session posting through `@actions/github` to the REST
 * stand-in at GITHUB_API_URL (helpers/github-api.ts). One comment per workflow, job and step,
 * created once and then updated; skipped outside a pull request; a refusal is a warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commentMarker } from '../../src/present/comment.js';
import { startGitHubApi, type GitHubApiStandIn } from '../helpers/github-api.js';
import { runInProcess } from '../helpers/session.js';
import { startServer, type HttpTestServer } from '../helpers/servers.js';

const TOKEN = 'ghs_standInToken0123456789';
const KEY = { workflow: 'perf', job: 'load', step: 'gate' };
const MARKER = commentMarker(KEY);

let service: HttpTestServer;
before(async () => {
  service = await startServer();
});
after(() => service.close());

/** The runner's variables of a run for pull request 7 of octo/shop, or of `event`. */
function runnerEnv(api: GitHubApiStandIn, event = 'pull_request', step = KEY.step) {
  const dir = mkdtempSync(join(tmpdir(), 'http-load-check-event-'));
  const path = join(dir, 'event.json');
  writeFileSync(
    path,
    JSON.stringify(
      event.startsWith('pull_request') ? { number: 7, pull_request: { number: 7 } } : { ref: 'x' },
    ),
  );
  return {
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_WORKFLOW: KEY.workflow,
    GITHUB_JOB: KEY.job,
    GITHUB_ACTION: step,
  };
}

/** A short check of the loopback service with these inputs added. */
function check(api: GitHubApiStandIn, inputs: Record<string, string>, env = runnerEnv(api)) {
  return runInProcess(
    {
      port: String(service.port),
      duration: '0.3',
      'busy-poll': 'true',
      'github-token': TOKEN,
      ...inputs,
    },
    { env },
  );
}

async function withApi(
  test: (api: GitHubApiStandIn) => Promise<void>,
  maxPerPage?: number,
): Promise<void> {
  const api = await startGitHubApi({ owner: 'octo', repo: 'shop', token: TOKEN, maxPerPage });
  try {
    await test(api);
  } finally {
    await api.close();
  }
}

const ours = (api: GitHubApiStandIn) => api.comments.filter((c) => c.body.startsWith(MARKER));
const route = (api: GitHubApiStandIn) => api.calls.map((c) => `${c.method} ${c.path}`);

describe('the pull-request comment', () => {
  it('is created on the first run, with the verdict, the gates and a link to the run', () =>
    withApi(async (api) => {
      const run = await check(api, {
        comment: 'always',
        'min-requests': '1',
        'secret-headers': 'X-Tenant: tenant-secret-value',
      });
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual(route(api), [
        'GET /repos/octo/shop/issues/7/comments',
        'POST /repos/octo/shop/issues/7/comments',
      ]);
      for (const call of api.calls) assert.equal(call.authorization, `token ${TOKEN}`);
      assert.equal(api.calls[0].query.per_page, '100');
      const [comment] = ours(api);
      assert.equal(comment.issue, 7);
      const body = comment.body;
      assert.ok(body.startsWith(`${MARKER}\n### ✅ passed: HTTP load check of`), body);
      assert.match(body, /Check passed: \d+ requests in 0\.3 s, at or above min-requests 1/);
      assert.match(body, /\| `min-requests` \| ≥ 1 \| \d+ \| ✅ passed \|/);
      assert.match(body, /\| `max-error-rate` \| ≤ 1% \| 0\.00% \| ✅ passed \|/);
      assert.ok(
        body.includes('[the run](https://github.test/octo/shop/actions/runs/42/attempts/2)'),
      );
      assert.ok(body.includes('perf / load / gate'), body);
      // The secrets are masked in the log and written nowhere, the comment included.
      for (const secret of ['tenant-secret-value', TOKEN]) {
        assert.ok(run.secrets.includes(secret), secret);
        assert.ok(!body.includes(secret), secret);
        assert.ok(!run.stdout.includes(secret), secret);
      }
      assert.match(
        run.stdout,
        /Pull request comment created on pull request #7: https:\/\/github\.test\/octo\/shop\/pull\/7#issuecomment-\d+/,
      );
    }));

  it('is updated, not duplicated, by the next run of the same step', () =>
    withApi(async (api) => {
      await check(api, { comment: 'always' });
      const [first] = ours(api);
      const firstBody = first.body;
      api.calls.length = 0;
      const run = await check(api, { comment: 'always', 'min-requests': '999999999' });
      assert.equal(run.code, 1);
      assert.deepEqual(route(api), [
        'GET /repos/octo/shop/issues/7/comments',
        `PATCH /repos/octo/shop/issues/comments/${first.id}`,
      ]);
      assert.equal(ours(api).length, 1);
      assert.notEqual(ours(api)[0].body, firstBody);
      assert.match(ours(api)[0].body, /^<!--[^\n]*-->\n### ❌ failed: /);
      assert.match(ours(api)[0].body, /\| `min-requests` \| ≥ 999999999 \| \d+ \| ❌ failed \|/);
      assert.match(run.stdout, /Pull request comment updated on pull request #7/);
    }));

  it("is found on a later page of the list, among others' comments and other steps'", () =>
    withApi(async (api) => {
      const otherStep = commentMarker({ ...KEY, step: 'other' });
      api.addComment(7, 'LGTM');
      api.addComment(7, 'a question');
      api.addComment(7, `${otherStep}\nanother step's result`, 'github-actions[bot]');
      api.addComment(8, `${MARKER}\nthe same step on another pull request`);
      api.addComment(7, `quoting it: ${MARKER}`);
      const mine = api.addComment(7, `${MARKER}\nan earlier run`, 'github-actions[bot]');
      api.addComment(7, 'a later remark');
      const run = await check(api, { comment: 'always' });
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual(
        api.calls.map((c) => `${c.method} ${c.path}${c.query.page ? ` page ${c.query.page}` : ''}`),
        [
          'GET /repos/octo/shop/issues/7/comments',
          'GET /repos/octo/shop/issues/7/comments page 2',
          'GET /repos/octo/shop/issues/7/comments page 3',
          `PATCH /repos/octo/shop/issues/comments/${mine}`,
        ],
      );
      assert.ok(api.comments.find((c) => c.body.startsWith(otherStep)));
      assert.equal(api.comments.length, 7);
    }, 2));

  it('is a warning with the fix when GitHub refuses it (403), and the check stands', () =>
    withApi(async (api) => {
      api.refuse(403);
      const run = await check(api, { comment: 'always' });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.passed, 'true');
      assert.equal(run.warnings.length, 1, run.stdout);
      assert.match(
        run.warnings[0],
        /^Could not comment on pull request #7: GitHub refused the token \(403\)\. Give the job `permissions: pull-requests: write`; a pull request from a fork/,
      );
      assert.equal(api.comments.length, 0);
    }));

  it('is a warning naming the status on any other refusal', () =>
    withApi(async (api) => {
      api.refuse(500, 'Server Error');
      const run = await check(api, { comment: 'on-failure', 'min-requests': '999999999' });
      assert.equal(run.code, 1);
      assert.match(
        run.warnings.at(-1) ?? '',
        /^Could not comment on pull request #7: GitHub answered 500: /,
      );
    }));

  it('is skipped with a notice outside a pull request', () =>
    withApi(async (api) => {
      const run = await check(api, { comment: 'always' }, runnerEnv(api, 'push'));
      assert.equal(run.code, 0);
      assert.deepEqual(api.calls, []);
      assert.deepEqual(run.notices, [
        'Pull request comment skipped: this run is for a push event, not a pull_request or pull_request_target event.',
      ]);
      assert.deepEqual(run.warnings, []);
    }));

  it('with on-failure, is posted only when the check fails; off (the default) posts nothing', () =>
    withApi(async (api) => {
      await check(api, { comment: 'on-failure' });
      await check(api, {});
      assert.deepEqual(api.calls, []);
      const failed = await check(api, { comment: 'on-failure', 'min-requests': '999999999' });
      assert.equal(failed.code, 1);
      assert.equal(ours(api).length, 1);
      assert.match(ours(api)[0].body, /❌ failed/);
    }));

  it('goes to pull_request_target runs too, one per step', () =>
    withApi(async (api) => {
      await check(api, { comment: 'always' }, runnerEnv(api, 'pull_request_target'));
      await check(api, { comment: 'always' }, runnerEnv(api, 'pull_request_target', 'second'));
      assert.equal(api.comments.length, 2);
      assert.deepEqual(
        api.comments.map((c) => c.body.split('\n')[0]),
        [MARKER, commentMarker({ ...KEY, step: 'second' })],
      );
    }));
});
