/**
 * Posting the comment (src/system/github.ts) against loopback servers, where the session's tests
 * cannot reach: a GitHub that never answers, at any step, is given up after the time allowed or
 * when the job is cancelled. The rest (create, update, pages, refusals) is session/comment.test.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { postComment } from '../../src/system/github.js';
import type { PullRequest } from '../../src/system/pull-request.js';
import { startGitHubApi } from '../helpers/github-api.js';

const MARKER = '<!-- http-load-check:w/j/s -->';

function pullRequest(apiUrl: string): PullRequest {
  return {
    kind: 'pull-request',
    apiUrl,
    owner: 'octo',
    repo: 'shop',
    number: 7,
    runUrl: null,
    workflow: 'w',
    job: 'j',
    step: 's',
  };
}

/** A server that answers `answered` requests from the stand-in, then holds every later one. */
async function hangingAfter(answered: number) {
  const api = await startGitHubApi({ owner: 'octo', repo: 'shop', token: 't', maxPerPage: 1 });
  api.addComment(7, 'one');
  api.addComment(7, 'two');
  api.addComment(7, `${MARKER}\nold`, 'github-actions[bot]');
  let seen = 0;
  const held: http.ServerResponse[] = [];
  const proxy = http.createServer((req, res) => {
    if (seen++ >= answered) return void held.push(res);
    const upstream = http.request(
      `${api.url}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    url,
    requests: () => seen,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await api.close();
    },
  };
}

describe('postComment against a GitHub that stops answering', () => {
  for (const answered of [0, 1, 3]) {
    const step = ['the first page', 'the second page', 'the update'][answered === 3 ? 2 : answered];
    it(`gives up on ${step} after the time allowed`, async () => {
      const server = await hangingAfter(answered);
      try {
        const started = performance.now();
        await assert.rejects(
          postComment(pullRequest(server.url), 't', MARKER, `${MARKER}\nnew`, {
            create: true,
            timeoutMs: 400,
          }),
        );
        assert.ok(performance.now() - started < 5000);
        assert.equal(server.requests(), answered + 1);
      } finally {
        await server.close();
      }
    });
  }

  it('gives up when the job is cancelled', async () => {
    const server = await hangingAfter(0);
    try {
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 200);
      const started = performance.now();
      await assert.rejects(
        postComment(pullRequest(server.url), 't', MARKER, `${MARKER}\nnew`, {
          create: true,
          signal: stop.signal,
          timeoutMs: 60_000,
        }),
      );
      assert.ok(performance.now() - started < 5000);
    } finally {
      await server.close();
    }
  });
});
