/**
 * src/config/settings.ts and src/config/targets.ts, pure but for the files they read: what the
 * endpoint inputs become. `url` or `port` (never both), `baseline-url`, the method, the body from
 * text or a file, Content-Type, a targets file in vegeta's format (relative URLs against the
 * service, weights, per-target headers and bodies, line numbers in every error), TLS and HTTP/2
 * (h2c refused), and durations with units.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError, readSettings } from '../../src/config/settings.js';
import { isTargetsText, parseTargets } from '../../src/config/targets.js';
import { distinctRoutes, origin, targetUrl } from '../../src/model/settings.js';
import { testCertificate } from '../helpers/tls.js';

const read = (inputs: Record<string, string>) =>
  readSettings((name) => ({ 'min-requests': '0', ...inputs })[name] ?? '');

/** Asserts that the inputs are refused, by an InputError naming `input`, matching `message`. */
function refused(inputs: Record<string, string>, input: string, message: RegExp): void {
  assert.throws(
    () => read(inputs),
    (error: unknown) => {
      assert.ok(error instanceof InputError, String(error));
      assert.equal(error.input, input, error.message);
      assert.match(error.message, message);
      return true;
    },
  );
}

const folder = mkdtempSync(join(tmpdir(), 'hlc-endpoints-'));
function file(name: string, content: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

describe('url', () => {
  it('gives the scheme, host, port and path+query, with default ports', () => {
    const s = read({ url: 'https://127.0.0.1:8443/api/orders?x=1&y=%20' });
    assert.deepEqual(
      [s.scheme, s.host, s.port, s.path],
      ['https', '127.0.0.1', 8443, '/api/orders?x=1&y=%20'],
    );
    assert.equal(targetUrl(s), 'https://127.0.0.1:8443/api/orders?x=1&y=%20');
    assert.equal(read({ url: 'http://localhost' }).port, 80);
    assert.equal(read({ url: 'https://localhost/' }).port, 443);
    const v6 = read({ url: 'http://[::1]:8080/€' });
    assert.deepEqual([v6.host, v6.path], ['::1', '/%E2%82%AC']);
    assert.equal(origin(v6), 'http://[::1]:8080');
  });

  it('is exclusive with port, host and path', () => {
    refused(
      { url: 'http://127.0.0.1:1/', port: '8080' },
      'url',
      /set either url or port .* not both; port is set too/,
    );
    refused(
      { url: 'http://127.0.0.1:1/', host: 'a', path: '/x' },
      'url',
      /host and path are set too/,
    );
  });

  it('or port is required', () => {
    refused(
      {},
      'url',
      /^Input 'url' or 'port' is required: expected a URL such as http:\/\/127\.0\.0\.1:8080\/health/,
    );
  });

  for (const [value, why] of [
    ['127.0.0.1:8080', /it has no scheme/],
    ['/health', /it has no scheme/],
    ['ftp://127.0.0.1/', /its scheme is ftp:/],
    ['http://user:pw@127.0.0.1/', /user name or password/],
    ['http://127.0.0.1/#top', /fragment/],
    ['http://127.0.0.1:0/', /port 0/],
    ['http://127.0.0.1:70000/', /not a valid URL/],
    ['http://a b/', /spaces/],
    ['http://999.1.1.1/', /not a valid URL/],
    ['http:///x', /does not start with 'http:\/\/' or 'https:\/\/' and a host/],
    ['http:/127.0.0.1:1/', /does not start with/],
    ['http://127.0.0.1:1\\x', /backslash/],
  ] as const) {
    it(`refuses ${value}`, () => refused({ url: value }, 'url', why));
  }

  it('has the CLI-friendly port form too, and baseline-url as its counterpart', () => {
    const s = read({
      url: 'https://127.0.0.1:8443/v2/',
      'baseline-url': 'https://127.0.0.1:9443/v1/',
    });
    assert.deepEqual(s.baseline && [s.baseline.scheme, s.baseline.port, s.baseline.path], [
      'https',
      9443,
      '/v1/',
    ]);
    // baseline-port keeps the head's scheme, host and path.
    const p = read({ url: 'https://localhost:8443/x', 'baseline-port': '9443' });
    assert.deepEqual(p.baseline && targetUrl(p.baseline), 'https://localhost:9443/x');
    refused(
      { port: '1', 'baseline-url': 'http://127.0.0.1:2/', 'baseline-port': '3' },
      'baseline-url',
      /not both; baseline-port is set too/,
    );
    refused(
      { port: '1', 'baseline-url': 'http://127.0.0.1:2/', 'baseline-file': 'a.json' },
      'baseline-file',
      /either baseline-url .* or baseline-file/,
    );
  });
});

describe('method, body and content-type', () => {
  it('sends the method, the body as one buffer, and Content-Type', () => {
    const s = read({
      port: '1',
      method: 'post',
      body: '{"a":"é"}',
      'content-type': 'application/json',
    });
    assert.equal(s.routes.length, 1);
    const [route] = s.routes;
    assert.equal(route.method, 'POST');
    assert.equal(route.name, 'POST /');
    assert.deepEqual(Buffer.from(route.body ?? []), Buffer.from('{"a":"é"}'));
    assert.deepEqual(route.headers, [['Content-Type', 'application/json']]);
  });

  it('reads body-file once, byte for byte', () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    const s = read({ port: '1', method: 'PUT', 'body-file': file('body.bin', bytes) });
    assert.deepEqual(Buffer.from(s.routes[0].body ?? []), bytes);
  });

  it('keeps a method of its own as it is, and HEAD without a body', () => {
    assert.equal(read({ port: '1', method: 'PURGE' }).routes[0].method, 'PURGE');
    assert.equal(read({ port: '1', method: 'head' }).routes[0].method, 'HEAD');
  });

  it('refuses what cannot be sent, before any connection', () => {
    refused(
      { port: '1', method: 'GE T' },
      'method',
      /^Invalid method 'GE T': expected an HTTP method/,
    );
    refused({ port: '1', method: 'CONNECT' }, 'method', /CONNECT opens a tunnel/);
    refused({ port: '1', method: 'HEAD', body: 'x' }, 'method', /HEAD requests carry no body/);
    refused(
      { port: '1', body: 'x', 'body-file': 'y' },
      'body',
      /either body .* or body-file .* not both/,
    );
    refused(
      { port: '1', 'body-file': join(folder, 'missing') },
      'body-file',
      /^Invalid body-file '.*missing': cannot read it \(ENOENT\)/,
    );
    refused({ port: '1', 'body-file': folder }, 'body-file', /not a regular file \(a directory\)/);
    refused(
      { port: '1', 'body-file': file('big.bin', Buffer.alloc(10 * 1024 * 1024 + 1)) },
      'body-file',
      /larger than 10 MiB/,
    );
    refused({ port: '1', 'content-type': 'a\nb' }, 'content-type', /^Invalid content-type/);
    refused(
      { port: '1', 'content-type': 'text/plain', headers: 'content-type: text/html' },
      'content-type',
      /headers sets Content-Type too/,
    );
    refused(
      { port: '1', headers: 'Content-Length: 3', body: 'abc' },
      'headers',
      /sets Content-Length.*sets it from the body/,
    );
  });
});

describe('targets', () => {
  const text = [
    '# the page',
    'GET /users',
    'X-Account: 1',
    '',
    'POST http://127.0.0.1:8080/orders',
    'Content-Type: application/json',
    '@order.json',
    '',
    'GET /users',
    'X-Account: 1',
    '',
    'GET users?page=2',
    '',
  ].join('\n');

  it("reads vegeta's format: weights, headers, bodies relative to the file, relative URLs", () => {
    file('order.json', '{"id":1}');
    const path = file('targets.txt', text);
    const s = read({
      url: 'http://127.0.0.1:8080/api/',
      targets: path,
      headers: 'X-Account: 0\nX-All: y',
    });
    assert.equal(s.targetsSource, path);
    assert.deepEqual(
      s.routes.map((r) => r.name),
      ['GET /users', 'POST /orders', 'GET /users', 'GET /api/users?page=2'],
    );
    assert.equal(s.routes[0], s.routes[2], 'the same target twice is one route, weighted');
    assert.deepEqual(
      distinctRoutes(s.routes).map((r) => r.weight),
      [2, 1, 1],
    );
    assert.deepEqual(s.routes[0].headers, [
      ['X-All', 'y'],
      ['X-Account', '1'],
    ]);
    assert.deepEqual(s.routes[1].headers, [
      ['X-Account', '0'],
      ['X-All', 'y'],
      ['Content-Type', 'application/json'],
    ]);
    assert.equal(Buffer.from(s.routes[1].body ?? []).toString(), '{"id":1}');
    assert.equal(s.routes[3].body, null);
  });

  it('takes the targets as text too, and the service from the first absolute URL', () => {
    const s = read({ targets: 'GET http://127.0.0.1:9000/a\n\nHEAD /b' });
    assert.equal(s.targetsSource, 'inline');
    assert.equal(origin(s), 'http://127.0.0.1:9000');
    assert.deepEqual(
      s.routes.map((r) => r.name),
      ['GET /a', 'HEAD /b'],
    );
  });

  it('sends the same paths to the baseline, relative ones against its own URL', () => {
    const s = read({
      url: 'http://127.0.0.1:1/v2/',
      'baseline-url': 'http://127.0.0.1:2/v1/',
      targets: 'GET users\n\nGET http://127.0.0.1:1/health',
    });
    assert.deepEqual(
      s.routes.map((r) => r.path),
      ['/v2/users', '/health'],
    );
    assert.deepEqual(
      s.baseline?.routes.map((r) => r.path),
      ['/v1/users', '/health'],
    );
  });

  it('names a different request to the same method and path apart', () => {
    const s = read({ port: '1', targets: 'GET /a\nX-A: 1\n\nGET /a\nX-A: 2' });
    assert.deepEqual(
      s.routes.map((r) => r.name),
      ['GET /a', 'GET /a #2'],
    );
  });

  for (const [targets, message] of [
    [
      'GET',
      /^Invalid targets 'GET': cannot read it \(ENOENT\); expected targets in vegeta's HTTP format/,
    ],
    ['GET /a\nnot a header', /^Invalid targets: line 2 is neither a header/],
    ['GET /x\n\nGET/a\n', /^Invalid targets: line 3 is not 'METHOD URL'/],
    [
      'GET /a\n@body.json\nX-A: 1',
      /^Invalid targets: line 3 follows the body line of the target on line 1/,
    ],
    [
      'GET /a\n\nGET http://127.0.0.1:2/b',
      /^Invalid targets: line 3 goes to http:\/\/127\.0\.0\.1:2, but the service is http:\/\/127\.0\.0\.1:1/,
    ],
    ['GET /a\n\nG@T /b', /^Invalid targets: line 3 is not 'METHOD URL'/],
    ['CONNECT /a', /^Invalid targets: line 1 has method 'CONNECT'/],
    ['GET /a#x', /^Invalid targets: line 1 has a fragment/],
    [
      'GET /a\nExpect: 100-continue',
      /^Invalid targets: line 2 \('Expect'\) is refused by the HTTP client/,
    ],
    ['GET /a\nX-Secret: top\u0001secret', /^Invalid targets: line 2 .*the value is not shown/],
    [
      'GET /a\n@missing.json',
      /^Invalid targets: line 2 names the body file '.*missing\.json' \(relative to the working directory\): cannot read it \(ENOENT\)/,
    ],
    ['# nothing\n\n', /holds no target/],
    // URLs the URL parser would forgive: another host, a missing slash, a backslash, userinfo.
    [
      'GET //evil.example/x',
      /^Invalid targets: line 1 has URL '\/\/evil\.example\/x': expected a path/,
    ],
    [
      'GET /a\n\nGET http:/x',
      /^Invalid targets: line 3 has URL 'http:\/x': it does not start with/,
    ],
    ['GET /a\n\nGET \\x', /^Invalid targets: line 3 has URL '\\x': expected a path/],
    [
      'GET http://u:hunter2@127.0.0.1:1/',
      /^Invalid targets: line 1 has URL 'http:\/\/u:\*\*\*@127\.0\.0\.1:1\/': it carries a user name/,
    ],
    [
      'GET /a\n\nGET ftp://127.0.0.1:1/',
      /^Invalid targets: line 3 has URL 'ftp:.*its scheme is ftp:/,
    ],
  ] as const) {
    it(`refuses ${JSON.stringify(targets)} naming the line`, () => {
      refused({ port: '1', targets }, 'targets', message);
      if (targets.includes('secret')) {
        assert.throws(
          () => read({ port: '1', targets }),
          (e: Error) => !e.message.includes('top'),
        );
      }
    });
  }

  it('never quotes a password of a URL', () => {
    for (const inputs of [
      { url: 'http://me:hunter2@127.0.0.1:1/' },
      { url: 'http://me:hunter2@127.0.0.1:1/', port: '1' },
      { port: '', targets: 'GET http://me:p@ss:hunter2@127.0.0.1:1/\n' },
    ] as Record<string, string>[]) {
      assert.throws(
        () => read(inputs),
        (e: Error) => e.message.includes('me:***@') && !e.message.includes('hunter2'),
      );
    }
  });

  it('tells a URL without a scheme to add one', () => {
    refused(
      { url: 'localhost:8080/x' },
      'url',
      /it has no scheme: write http:\/\/localhost:8080\/x/,
    );
  });

  it('shares one route per distinct request, in linear time, and caps distinct requests', () => {
    // 10,000 targets over 1,000 distinct requests, each also with a body from one of two files
    // holding the same bytes: one route per request, weighted 10.
    const a = file('same-a.json', '{"x":1}');
    const b = file('same-b.json', '{"x":1}');
    const many = Array.from(
      { length: 10_000 },
      (_, i) => `POST /item/${i % 1000}\n@${i % 2 ? a : b}`,
    ).join('\n\n');
    const s = read({ port: '1', targets: many });
    const distinct = distinctRoutes(s.routes);
    assert.equal(s.routes.length, 10_000);
    assert.equal(distinct.length, 1000);
    assert.ok(distinct.every(({ weight }) => weight === 10));
    const over = Array.from({ length: 1001 }, (_, i) => `GET /item/${i}`).join('\n\n');
    refused(
      { port: '1', targets: over },
      'targets',
      /^Invalid targets: line 2001 is past the limit of 1000 distinct requests/,
    );
  });

  it('tells targets text from a file name', () => {
    for (const text of ['GET /a', 'get /a', 'POST http://127.0.0.1:1/', '# c', 'GET /a\n'])
      assert.equal(isTargetsText(text), true, text);
    for (const name of ['targets.txt', 'API routes.txt', './t.txt', '/abs/t.txt'])
      assert.equal(isTargetsText(name), false, name);
  });

  it('parses comments, CRLF and a BOM', () => {
    const entries = parseTargets(
      '\uFEFF# c\r\nGET /a\r\nX-A: 1\r\n\r\n  # c2\r\nPOST /b\r\n@x.json\r\n',
    );
    assert.deepEqual(
      entries.map((e) => [e.line, e.method, e.url, e.headers, e.bodyFile]),
      [
        [2, 'GET', '/a', [['X-A', '1', 3]], ''],
        [6, 'POST', '/b', [], 'x.json'],
      ],
    );
  });
});

describe('TLS and HTTP/2', () => {
  it('reads insecure, ca-file and http2', async () => {
    const ca = file('ca.pem', (await testCertificate()).cert);
    const s = read({
      url: 'https://127.0.0.1:8443/',
      insecure: 'true',
      'ca-file': ca,
      http2: 'true',
    });
    assert.deepEqual(
      [s.tls.insecure, s.tls.ca?.startsWith('-----BEGIN'), s.caFile, s.http2],
      [true, true, ca, true],
    );
  });

  it('refuses HTTP/2 without TLS (h2c), on either side, and a CA file without a certificate', () => {
    refused({ port: '8080', http2: 'true' }, 'http2', /h2c\) is not supported/);
    refused(
      { url: 'https://127.0.0.1:1/', 'baseline-url': 'http://127.0.0.1:2/', http2: 'true' },
      'http2',
      /baseline-url is plain http/,
    );
    refused(
      { url: 'https://127.0.0.1:1/', 'ca-file': file('empty.pem', 'hello') },
      'ca-file',
      /holds no certificate/,
    );
    refused(
      {
        url: 'https://127.0.0.1:1/',
        'ca-file': file(
          'bad.pem',
          '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        ),
      },
      'ca-file',
      /certificate 1 of 1 cannot be read/,
    );
  });

  it('names targets when HTTP/2 over plain http comes from an absolute target', () => {
    refused(
      { port: '', targets: 'GET http://127.0.0.1:8080/\n', http2: 'true' },
      'http2',
      /targets is plain http \(http:\/\/127\.0\.0\.1:8080\)/,
    );
  });
});

describe('durations with units', () => {
  it('reads 5, 5s, 500ms, 2m and 1.5h alike in every duration input', () => {
    const s = (d: string) =>
      read({ port: '1', duration: d, timeout: d, warmup: d, 'wait-timeout': d });
    for (const [text, seconds] of [
      ['5', 5],
      ['5s', 5],
      ['500ms', 0.5],
      ['100ms', 0.1],
      ['2m', 120],
      ['0.5m', 30],
    ] as const) {
      const settings = s(text);
      assert.deepEqual(
        [settings.durationSec, settings.warmupSec, settings.waitTimeoutSec],
        [seconds, seconds, seconds],
        text,
      );
    }
    assert.equal(read({ port: '1', duration: '1h' }).durationSec, 3600);
  });
});
