/**
 * src/engine/request.ts: the options of a route's request as the load sends them, and the dry run
 * that finds what undici would refuse of a request (origin, path, method, headers, body) without
 * opening a connection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestProblem, routeRequest } from '../../src/engine/request.js';
import { route } from './route.js';

describe('routeRequest', () => {
  const body = new TextEncoder().encode('{"a":1}');
  const post = route('/items', {
    method: 'POST',
    headers: [['Content-Type', 'application/json']],
    body,
  });

  it('sends the route body itself, adds the user-agent, and keeps every request idempotent', () => {
    const options = routeRequest(post, false);
    assert.equal(options.body, body, 'the same buffer, never a copy');
    assert.deepEqual(options.headers, [
      'user-agent',
      'http-load-check',
      'Content-Type',
      'application/json',
    ]);
    assert.equal(options.method, 'POST');
    assert.equal(options.path, '/items');
    assert.equal(options.idempotent, true);
    assert.equal(options.blocking, false);
    assert.equal(options.reset, false);
  });

  it("keeps the route's own user-agent, and blocks at 1 in flight (but a HEAD)", () => {
    const options = routeRequest(route('/', { headers: [['User-Agent', 'mine']] }), true);
    assert.deepEqual(options.headers, ['User-Agent', 'mine']);
    assert.equal(options.body, null);
    assert.equal(options.blocking, true);
    assert.equal(routeRequest(route('/', { method: 'HEAD' }), true).blocking, false);
  });
});

describe('requestProblem', () => {
  const get = { path: '/', method: 'GET', headers: [] };

  it('accepts http and https origins, and a request with a body', () => {
    assert.equal(requestProblem('http://127.0.0.1:8080', get), null);
    assert.equal(requestProblem('https://[::1]:8443', get), null);
    const body = new TextEncoder().encode('{}');
    assert.equal(
      requestProblem('https://localhost', {
        ...get,
        method: 'POST',
        body,
        headers: ['content-type', 'application/json'],
      }),
      null,
    );
  });

  it("gives undici's reason for what it refuses", () => {
    assert.match(requestProblem('ftp://127.0.0.1', get) ?? '', /protocol/i);
    assert.match(requestProblem('http://127.0.0.1', { ...get, method: 'GE T' }) ?? '', /method/);
    assert.match(requestProblem('http://127.0.0.1', { ...get, path: 'x' }) ?? '', /path/);
    assert.match(
      requestProblem('https://127.0.0.1', { ...get, headers: ['x-a', 'line\nbreak'] }) ?? '',
      /header/,
    );
    assert.match(
      requestProblem('http://127.0.0.1', { ...get, body: 42 as unknown as Uint8Array }) ?? '',
      /body/,
    );
  });
});
