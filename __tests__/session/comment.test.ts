/**
 * The pull-request comment (`comment`, `github-token`), end to end in process: a real check
 * against a loopback service, then the session posting through `@actions/github` to the REST
 * stand-in at GITHUB_API_URL (helpers/github-api.ts). One comment per workflow, job and step,
 * created once and then updated; skipped outside a pull request; a refusal is a warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commentMarker } from '../../src/present/comment.js';
import { MAX_PAGES } from '../../src/system/github.js';
import { startGitHubApi, type GitHubApiStandIn } from '../helpers/github-api.js';
import { runInProcess } from '../helpers/session.js';
import { closedPort, startServer, type HttpTestServer } from '../helpers/servers.js';

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
          'GET /repos/octo/shop/issues/7/comments page 1',
          'GET /repos/octo/shop/issues/7/comments page 2',
          'GET /repos/octo/shop/issues/7/comments page 3',
          `PATCH /repos/octo/shop/issues/comments/${mine}`,
        ],
      );
      assert.ok(api.comments.find((c) => c.body.startsWith(otherStep)));
      assert.equal(api.comments.length, 7);
    }, 2));

  it('is a warning with the fix when GitHub refuses to post it (403, as on a fork), and the check stands', () =>
    withApi(async (api) => {
      // A fork's read-only token may list the comments, not write one.
      api.refuse(403, 'Resource not accessible by integration', ['POST', 'PATCH']);
      const run = await check(api, { comment: 'always' });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.passed, 'true');
      assert.deepEqual(route(api), [
        'GET /repos/octo/shop/issues/7/comments',
        'POST /repos/octo/shop/issues/7/comments',
      ]);
      assert.equal(run.warnings.length, 1, run.stdout);
      assert.match(
        run.warnings[0],
        /^Could not comment on pull request #7: GitHub refused the token \(403: Resource not accessible by integration[^)]*\)\. Give the job `permissions: pull-requests: write`; a pull request from a fork/,
      );
      assert.equal(api.comments.length, 0);
    }));

  it('says a rate limit is one, not a permission', () =>
    withApi(async (api) => {
      api.refuse(403, 'API rate limit exceeded for installation ID 1.', undefined, {
        'x-ratelimit-remaining': '0',
      });
      const run = await check(api, { comment: 'always' });
      assert.equal(run.code, 0);
      assert.match(
        run.warnings[0],
        /^Could not comment on pull request #7: GitHub's rate limit \(403: API rate limit exceeded/,
      );
      assert.doesNotMatch(run.warnings[0], /permissions/);
    }));

  it('says a 429 is a rate limit, whatever its message', () =>
    withApi(async (api) => {
      api.refuse(429, 'Too Many Requests');
      const run = await check(api, { comment: 'always' });
      assert.match(run.warnings[0], /: GitHub's rate limit \(429: Too Many Requests/);
    }));

  it('stops listing at the page that holds it', () =>
    withApi(async (api) => {
      api.addComment(7, 'first');
      const mine = api.addComment(7, `${MARKER}\nearlier`, 'github-actions[bot]');
      api.addComment(7, 'third');
      api.addComment(7, 'fourth');
      await check(api, { comment: 'always' });
      assert.deepEqual(
        api.calls.map((c) => `${c.method} ${c.query.page ?? ''}`),
        ['GET 1', 'GET 2', 'PATCH '],
      );
      assert.match(api.comments.find((c) => c.id === mine)?.body ?? '', /### ✅ passed/);
    }, 1));

  it(`gives up after ${MAX_PAGES} pages without it, and posts no new one`, () =>
    withApi(async (api) => {
      for (let i = 0; i <= MAX_PAGES; i++) api.addComment(7, `comment ${i}`);
      const run = await check(api, { comment: 'always' });
      assert.equal(run.code, 0);
      assert.equal(api.calls.length, MAX_PAGES);
      assert.ok(api.calls.every((c) => c.method === 'GET'));
      assert.match(
        run.warnings[0],
        /^Could not comment on pull request #7: the pull request has more than 5000 comments; the step's comment was not looked for beyond them, and no new one was posted\.$/,
      );
    }, 1));

  it('hides the query of the target in what it posts, the messages included', () =>
    withApi(async (api) => {
      // Not ready: the message names the target, query and all.
      const port = await closedPort();
      const run = await check(api, {
        comment: 'on-failure',
        port: '',
        url: `http://127.0.0.1:${port}/orders?key=s3cret-query`,
        'wait-timeout': '0.3',
      });
      assert.equal(run.outputs.outcome, 'not-ready', run.stdout);
      assert.match(
        run.failure ?? '',
        /s3cret-query/,
        'the log has it (masked there when a secret)',
      );
      const body = ours(api)[0].body;
      assert.ok(!body.includes('s3cret-query'), body);
      assert.match(body, /http:\/\/127\.0\.0\.1:\d+\/orders\?…/);
    }));

  it('says when GitHub could not be reached, and the check stands', async () => {
    const closed = await startServer();
    const url = `http://127.0.0.1:${closed.port}`;
    await closed.close();
    const api = await startGitHubApi({ owner: 'octo', repo: 'shop', token: TOKEN });
    await api.close();
    const run = await check(api, { comment: 'always' }, { ...runnerEnv(api), GITHUB_API_URL: url });
    assert.equal(run.code, 0, run.stdout);
    assert.match(
      run.warnings[0],
      /^Could not comment on pull request #7: no answer from GitHub \(/,
    );
  });

  it("never takes another user's comment that copies the marker for its own", () =>
    withApi(async (api) => {
      const forged = api.addComment(7, `${MARKER}\n✅ all good, trust me`, 'mallory');
      const kept = api.addComment(
        7,
        `${MARKER}\nan earlier run, posted with a personal token`,
        'maintainer',
      );
      await check(api, { comment: 'always' });
      assert.deepEqual(route(api).slice(1), [`PATCH /repos/octo/shop/issues/comments/${kept}`]);
      assert.match(api.comments.find((c) => c.id === forged)?.body ?? '', /trust me/);
      api.calls.length = 0;
      api.comments.splice(
        api.comments.findIndex((c) => c.id === kept),
        1,
      );
      await check(api, { comment: 'always' });
      assert.deepEqual(route(api).slice(1), ['POST /repos/octo/shop/issues/7/comments']);
    }));

  it('is posted again when it was deleted between the list and the update', () =>
    withApi(async (api) => {
      await check(api, { comment: 'always' });
      api.deleteBeforeUpdate = true;
      api.calls.length = 0;
      const run = await check(api, { comment: 'always' });
      assert.deepEqual(route(api).slice(1), [
        `PATCH /repos/octo/shop/issues/comments/1000`,
        'POST /repos/octo/shop/issues/7/comments',
      ]);
      assert.equal(ours(api).length, 1);
      assert.match(run.stdout, /Pull request comment created on pull request #7/);
      assert.deepEqual(run.warnings, []);
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
        'Pull request comment skipped: this run is for the push event, not a pull_request or pull_request_target event.',
      ]);
      assert.deepEqual(run.warnings, []);
    }));

  it('with on-failure, is created only when the check fails, then updated when it passes again', () =>
    withApi(async (api) => {
      await check(api, {});
      assert.deepEqual(api.calls, [], 'off, the default, does not even list');
      const passed = await check(api, { comment: 'on-failure' });
      assert.deepEqual(route(api), ['GET /repos/octo/shop/issues/7/comments']);
      assert.equal(api.comments.length, 0);
      assert.doesNotMatch(passed.stdout, /Pull request comment/);
      const failed = await check(api, { comment: 'on-failure', 'min-requests': '999999999' });
      assert.equal(failed.code, 1);
      assert.equal(ours(api).length, 1);
      assert.match(ours(api)[0].body, /❌ failed/);
      // Passing again: the comment no longer says it fails.
      await check(api, { comment: 'on-failure' });
      assert.equal(ours(api).length, 1);
      assert.match(ours(api)[0].body, /✅ passed/);
    }));

  it('with on-failure, a passing run outside a pull request says nothing', () =>
    withApi(async (api) => {
      const run = await check(api, { comment: 'on-failure' }, runnerEnv(api, 'push'));
      assert.deepEqual(run.notices, []);
      assert.deepEqual(api.calls, []);
    }));

  it('is never written to the report, the benchmark files, the summary or the outputs, nor the token', () =>
    withApi(async (api) => {
      const run = await check(api, { comment: 'always' });
      const written = [
        'http-load-check.json',
        'http-load-check-benchmark.json',
        'http-load-check-latency.json',
      ]
        .map((name) => readFileSync(join(run.dir, name), 'utf8'))
        .join('\n');
      for (const text of [written, run.summary, JSON.stringify(run.outputs), ours(api)[0].body]) {
        assert.ok(!text.includes(TOKEN));
      }
      assert.match(written, /"githubToken": "\*\*\*"/);
      assert.match(written, /"comment": "always"/);
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
