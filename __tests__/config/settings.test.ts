/**
 * src/config/settings.ts, pure: `readSettings` turns the raw text of each input into `Settings`:
 * the documented defaults (duration 10 s per side in a comparison at 1 connection, rounds auto
 * capped at 1000, busy-poll auto), every input read and trimmed, paths percent-encoded as URLs
 * encode them, the hosts and headers undici takes, and an `InputError` naming the input with its
 * accepted range for each bad value (never echoing a header value). The target's URL helpers of
 * src/model/settings.ts are checked on the settings read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, readSettings } from '../../src/config/settings.js';
import { formatStatusRanges, origin, targetUrl } from '../../src/model/settings.js';

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? '';

const valid = { port: '8080', 'min-requests': '100' };

describe('readSettings', () => {
  it('applies the documented defaults', () => {
    const route = { name: 'GET /', method: 'GET', path: '/', headers: [], body: null };
    assert.deepEqual(readSettings(reader(valid)), {
      scheme: 'http',
      host: '127.0.0.1',
      port: 8080,
      path: '/',
      routes: [route],
      http2: false,
      tls: { insecure: false, ca: null },
      caFile: '',
      targetsSource: '',
      durationSec: 5,
      minRequests: 100,
      minRps: null,
      maxErrorRatePct: 1,
      maxP50Ms: null,
      maxP95Ms: null,
      maxP99Ms: null,
      rate: null,
      connections: 1,
      pipelining: 1,
      busyPoll: 'trial',
      timeoutSec: 5,
      waitTimeoutSec: 30,
      warmupSec: 0,
      expectedStatus: [[200, 299]],
      headers: [],
      secretHeaders: [],
      baseline: null,
      rounds: 10,
      roundsAuto: true,
      maxRegressionPct: 5,
      confidence: 0.95,
      baselineFile: '',
      reportFile: '',
      benchmarkFile: '',
      benchmarkLatencyFile: '',
      comment: 'off',
      githubToken: '',
    });
  });

  it('defaults duration to 10 s per side in a comparison at 1 connection only', () => {
    const durationOf = (inputs: Record<string, string>) => {
      const settings = readSettings(reader({ ...valid, ...inputs }));
      return [settings.durationSec, settings.rounds];
    };
    assert.deepEqual(durationOf({ 'baseline-port': '9090' }), [10, 20]);
    assert.deepEqual(durationOf({ 'baseline-file': 'main.json' }), [10, 20]);
    assert.deepEqual(durationOf({ 'baseline-port': '9090', connections: '4' }), [5, 10]);
    assert.deepEqual(durationOf({ connections: '1' }), [5, 10]);
    // A duration the user sets is kept.
    assert.deepEqual(durationOf({ 'baseline-port': '9090', duration: '5' }), [5, 10]);
  });

  it('caps rounds: auto at 1000, so a long run still saves a usable baseline', () => {
    const rounds = (duration: string) =>
      readSettings(reader({ ...valid, duration, rounds: 'auto' })).rounds;
    assert.equal(rounds('0.1'), 2);
    assert.equal(rounds('499'), 998);
    assert.equal(rounds('3600'), 1000);
  });

  it('reads every input', () => {
    const settings = readSettings(
      reader({
        port: ' 65535 ',
        'min-requests': '0',
        duration: '0.5',
        connections: '1000',
        pipelining: '100',
        'busy-poll': 'true',
        timeout: '2.5',
        'wait-timeout': '0',
        warmup: '1.5',
        'expected-status': '200, 204 300-399',
        headers: 'Authorization: Bearer abc:def\n\n  Host:  example.test  \nX-Empty:',
        'baseline-port': '9090',
        'max-regression': '2.5',
        confidence: '0.95',
        host: 'localhost',
        path: '/health?x=1',
        'report-file': ' out/report.json ',
        'benchmark-file': 'out/bench.json',
        'benchmark-latency-file': 'out/latency.json',
        'min-rps': '250.5',
        'max-error-rate': '0.5',
        'max-p50-ms': '5',
        'max-p95-ms': '20',
        'max-p99-ms': '100.25',
        comment: 'on-failure',
        'github-token': ' ghs_0123456789abcdef ',
      }),
    );
    const headers: [string, string][] = [
      ['Authorization', 'Bearer abc:def'],
      ['Host', 'example.test'],
      ['X-Empty', ''],
    ];
    const route = {
      name: 'GET /health?x=1',
      method: 'GET',
      path: '/health?x=1',
      headers,
      body: null,
    };
    assert.deepEqual(settings, {
      scheme: 'http',
      host: 'localhost',
      port: 65535,
      path: '/health?x=1',
      routes: [route],
      http2: false,
      tls: { insecure: false, ca: null },
      caFile: '',
      targetsSource: '',
      durationSec: 0.5,
      minRequests: 0,
      minRps: 250.5,
      maxErrorRatePct: 0.5,
      maxP50Ms: 5,
      maxP95Ms: 20,
      maxP99Ms: 100.25,
      rate: null,
      connections: 1000,
      pipelining: 100,
      busyPoll: true,
      timeoutSec: 2.5,
      waitTimeoutSec: 0,
      warmupSec: 1.5,
      expectedStatus: [
        [200, 200],
        [204, 204],
        [300, 399],
      ],
      headers: [
        ['Authorization', 'Bearer abc:def'],
        ['Host', 'example.test'],
        ['X-Empty', ''],
      ],
      secretHeaders: [],
      baseline: {
        scheme: 'http',
        host: 'localhost',
        port: 9090,
        path: '/health?x=1',
        routes: [route],
      },
      rounds: 2,
      roundsAuto: true,
      maxRegressionPct: 2.5,
      confidence: 0.95,
      baselineFile: '',
      reportFile: 'out/report.json',
      benchmarkFile: 'out/bench.json',
      benchmarkLatencyFile: 'out/latency.json',
      comment: 'on-failure',
      githubToken: 'ghs_0123456789abcdef',
    });
    assert.equal(formatStatusRanges(settings.expectedStatus), '200, 204, 300-399');
    assert.equal(targetUrl(settings), 'http://localhost:65535/health?x=1');
  });

  it('takes min-requests as optional: empty is 0, which is off', () => {
    assert.equal(readSettings(reader({ port: '8080' })).minRequests, 0);
    assert.equal(readSettings(reader({ port: '8080', 'min-requests': '' })).minRequests, 0);
  });

  it('reads rate for the open model, and refuses it in a comparison, naming the baseline input', () => {
    const settings = readSettings(reader({ ...valid, rate: '250.5' }));
    assert.equal(settings.rate, 250.5);
    assert.equal(settings.busyPoll, false, 'auto does not spin while waiting for due sends');
    assert.equal(settings.warmupSec, 1, 'a rate warms up 1 s unless told');
    assert.equal(readSettings(reader({ ...valid, rate: '250', warmup: '0' })).warmupSec, 0);
    assert.equal(readSettings(reader(valid)).warmupSec, 0, 'no warm-up in the closed loop');
    assert.throws(
      () => readSettings(reader({ ...valid, rate: '0.1' })),
      /Invalid rate '0\.1': in a duration of 5 s it sends no request; give at least 0\.2 requests per second, or a longer duration$/,
    );
    assert.equal(readSettings(reader({ ...valid, rate: '0.2' })).rate, 0.2, 'one send in 5 s');
    assert.equal(
      readSettings(reader({ ...valid, rate: '250', 'busy-poll': 'true' })).busyPoll,
      true,
    );
    for (const [input, value] of [
      ['baseline-port', '9090'],
      ['baseline-url', 'http://127.0.0.1:9090/'],
      ['baseline-file', 'main.json'],
    ]) {
      assert.throws(
        () => readSettings(reader({ ...valid, rate: '500', [input]: value })),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.equal(error.input, 'rate');
          assert.equal(
            error.message,
            `Invalid rate '500': a comparison measures throughput, which a fixed rate sets; ` +
              `gate latency at a fixed rate without ${input}, or drop rate`,
          );
          return true;
        },
      );
    }
  });

  it('busy-poll auto: a trial at 1 connection with 1 request in flight, off otherwise', () => {
    const busy = (inputs: Record<string, string>) =>
      readSettings(reader({ ...valid, ...inputs })).busyPoll;
    assert.equal(busy({}), 'trial');
    assert.equal(busy({ 'busy-poll': 'auto' }), 'trial');
    assert.equal(busy({ connections: '2' }), false);
    assert.equal(busy({ pipelining: '2' }), false);
    assert.equal(busy({ 'busy-poll': 'false' }), false);
    assert.equal(busy({ connections: '10', 'busy-poll': 'true' }), true);
  });

  it('percent-encodes a path beyond ASCII as UTF-8, as new URL does', () => {
    const path = (value: string) => readSettings(reader({ ...valid, path: value })).path;
    assert.equal(path('/€'), '/%E2%82%AC');
    assert.equal(path('/café?q=ü'), '/caf%C3%A9?q=%C3%BC');
    assert.equal(path('/😀'), new URL('http://x/😀').pathname);
    assert.equal(path('/a%20b?x=1&y=%2F'), '/a%20b?x=1&y=%2F', 'ASCII is sent as typed');
    for (const space of ['\u00a0', '\u3000', '\ufeff']) {
      assert.equal(path(`/a${space}b`), new URL(`http://x/a${space}b`).pathname, 'not ASCII space');
    }
  });

  it('accepts Connection: close or keep-alive, which undici sends', () => {
    for (const value of ['close', 'keep-alive', 'Close']) {
      const settings = readSettings(reader({ ...valid, headers: `Connection: ${value}` }));
      assert.deepEqual(settings.headers, [['Connection', value]]);
    }
  });

  it('accepts the hosts undici takes as they are', () => {
    for (const host of [
      'localhost',
      'LocalHost',
      '127.0.0.1',
      '::1',
      '[::1]',
      'example.com.',
      'svc_1.local',
    ]) {
      assert.doesNotThrow(() => readSettings(reader({ ...valid, host })), host);
    }
  });

  it('puts an IPv6 host in brackets in the URL', () => {
    const settings = readSettings(reader({ ...valid, host: '::1' }));
    assert.equal(settings.host, '::1');
    assert.equal(origin(settings), 'http://[::1]:8080');
    assert.equal(readSettings(reader({ ...valid, host: '[::1]' })).host, '::1');
  });

  const bad: [string, string, RegExp][] = [
    ['port', '0', /^Invalid port '0': expected an integer from 1 to 65535$/],
    ['port', '65536', /^Invalid port '65536': expected an integer from 1 to 65535$/],
    ['port', 'abc', /^Invalid port 'abc': expected an integer from 1 to 65535$/],
    ['port', '80.5', /^Invalid port '80.5'/],
    ['port', '-1', /^Invalid port '-1'/],
    [
      'duration',
      '0',
      /^Invalid duration '0': expected seconds, or a number with a unit \(500ms, 10s, 2m\), greater than 0 and at most 3600 s$/,
    ],
    ['duration', '-1', /^Invalid duration '-1': expected seconds, .* greater than 0/],
    ['duration', 'abc', /^Invalid duration 'abc'/],
    ['duration', '5sec', /^Invalid duration '5sec'/],
    ['duration', '5 m s', /^Invalid duration '5 m s'/],
    ['duration', '0ms', /^Invalid duration '0ms'/],
    ['duration', '3601', /^Invalid duration '3601'.*at most 3600 s$/],
    ['duration', '61m', /^Invalid duration '61m'.*at most 3600 s$/],
    [
      'max-error-rate',
      '101',
      /^Invalid max-error-rate '101': expected a percentage from 0 to 100$/,
    ],
    ['max-error-rate', 'abc', /^Invalid max-error-rate 'abc'/],
    ['min-rps', '-1', /^Invalid min-rps '-1': expected requests per second from 0 to 100000000$/],
    [
      'max-p95-ms',
      '0',
      /^Invalid max-p95-ms '0': expected milliseconds from 0\.001 to 3600000, e\.g\. 50$/,
    ],
    ['max-p50-ms', 'fast', /^Invalid max-p50-ms 'fast'/],
    ['max-p99-ms', '-5', /^Invalid max-p99-ms '-5'/],
    [
      'rate',
      '0',
      /^Invalid rate '0': expected requests per second from 0\.1 to 1000000, e\.g\. 500$/,
    ],
    ['rate', 'fast', /^Invalid rate 'fast'/],
    [
      'min-requests',
      '-1',
      /^Invalid min-requests '-1': expected a whole number of requests, 0 or more$/,
    ],
    ['min-requests', '1.5', /^Invalid min-requests '1.5'/],
    ['min-requests', 'abc', /^Invalid min-requests 'abc'/],
    ['connections', '0', /^Invalid connections '0': expected an integer from 1 to 1000$/],
    ['connections', '1001', /^Invalid connections '1001': expected an integer from 1 to 1000$/],
    ['connections', 'two', /^Invalid connections 'two'/],
    [
      'timeout',
      '0',
      /^Invalid timeout '0': expected seconds, .* greater than 0 and at most 600 s$/,
    ],
    ['timeout', '-5', /^Invalid timeout '-5'/],
    ['timeout', '5 msec', /^Invalid timeout '5 msec'/],
    ['pipelining', '0', /^Invalid pipelining '0': expected an integer from 1 to 100$/],
    ['pipelining', '101', /^Invalid pipelining '101': expected an integer from 1 to 100$/],
    ['wait-timeout', '-1', /^Invalid wait-timeout '-1': expected seconds, .* from 0 to 3600 s$/],
    ['wait-timeout', '3601', /^Invalid wait-timeout '3601'/],
    ['warmup', 'abc', /^Invalid warmup 'abc': expected seconds, .* from 0 to 3600 s$/],
    [
      'expected-status',
      '2xx',
      /^Invalid expected-status '2xx': expected status codes \(100-599\) or ranges/,
    ],
    ['expected-status', '299-200', /^Invalid expected-status '299-200'/],
    ['expected-status', '600', /^Invalid expected-status '600'/],
    ['headers', 'Authorization Bearer x', /^Invalid headers: line 1 is not 'Name: value'/],
    ['headers', 'X-Ok: 1\nBad Name: v', /^Invalid headers: line 2 is not 'Name: value'/],
    ['baseline-port', '0', /^Invalid baseline-port '0': expected an integer from 1 to 65535$/],
    ['baseline-host', 'a b', /^Invalid baseline-host 'a b'/],
    ['baseline-path', 'x', /^Invalid baseline-path 'x'/],
    ['rounds', '1', /^Invalid rounds '1': expected auto or an integer from 2 to 1000$/],
    [
      'max-regression',
      '101',
      /^Invalid max-regression '101': expected a percentage from 0 to 100$/,
    ],
    ['confidence', '1', /^Invalid confidence '1': expected a number from 0.5 to 0.9999/],
    ['busy-poll', 'yes', /^Invalid busy-poll 'yes': expected auto, true or false$/],
    [
      'host',
      'http://example',
      /^Invalid host 'http:\/\/example': expected a host name or IP address/,
    ],
    ['host', 'a b', /^Invalid host 'a b'/],
    ['path', 'health', /^Invalid path 'health': expected a path starting with '\/'/],
    ['path', '/a b', /^Invalid path '\/a b'/],
    // What the URL parser or undici would refuse later: refused here, before any connection.
    ['host', '127.0.0.1:8080', /^Invalid host '127\.0\.0\.1:8080': expected a host name or IP/],
    ['host', '999.1.1.1', /^Invalid host '999\.1\.1\.1'/],
    ['host', 'a:b', /^Invalid host 'a:b'/],
    [
      'host',
      '1.2.3',
      /^Invalid host '1\.2\.3'.*\(URLs read it as 1\.2\.0\.3; write that instead\)$/,
    ],
    ['host', '0x7f.1', /^Invalid host '0x7f\.1'.*URLs read it as 127\.0\.0\.1/],
    ['host', 'fe80::1%eth0', /^Invalid host 'fe80::1%eth0'.*zone index/],
    ['baseline-host', '999.1.1.1', /^Invalid baseline-host '999\.1\.1\.1'/],
    [
      'headers',
      'X-Ok: 1\nExpect: 100-continue',
      /^Invalid headers: line 2 \('Expect'\) is refused by the HTTP client \(expect header not supported\)/,
    ],
    ['headers', 'Host: a\nHost: b', /^Invalid headers: .*\(duplicate host header\)/],
    [
      'headers',
      'X-Value: caf\u20ac',
      /^Invalid headers: line 1 \('X-Value'\) is refused .*invalid X-Value header/,
    ],
    ['headers', 'X-Value: a\u0001b', /^Invalid headers: line 1 \('X-Value'\) is refused/],
    ['headers', 'Transfer-Encoding: chunked', /invalid transfer-encoding header/],
    ['headers', 'Upgrade: h2c', /invalid upgrade header/],
    ['headers', 'Keep-Alive: timeout=5', /invalid keep-alive header/],
    [
      'headers',
      'Content-Length: 5',
      /^Invalid headers: line 1 sets Content-Length, which cannot be set/,
    ],
    [
      'headers',
      'Connection: Upgrade',
      /^Invalid headers: line 1 sets Connection to something else/,
    ],
    [
      'headers',
      'Connection: close, TE',
      /sets Connection to something else than close or keep-alive/,
    ],
    ['path', '/a\u0001b', /^Invalid path '\/a\\x01b': expected a path .*control characters/],
    ['path', '/a\u007fb', /^Invalid path '\/a\\x7fb'/],
    [
      'path',
      '/\ud800',
      /^Invalid path '\/\ud800': expected a path starting with '\/' of valid Unicode/,
    ],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name} '${value}' with a message naming the input and range`, () => {
      assert.throws(
        () =>
          readSettings(
            reader({
              ...valid,
              ...(name.startsWith('baseline-') ? { 'baseline-port': '9090' } : {}),
              [name]: value,
            }),
          ),
        (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          assert.equal(error.input, name);
          assert.match(error.message, message);
          if (name === 'headers') assert.ok(!error.message.includes(value), 'never echo a header');
          return true;
        },
      );
    });
  }
});

describe('comment and github-token', () => {
  const read = (inputs: Record<string, string>) => () =>
    readSettings(reader({ port: '8080', ...inputs }));

  it('need a token only when a comment is asked for', () => {
    assert.equal(read({})().comment, 'off');
    assert.equal(read({ 'github-token': '' })().githubToken, '');
    assert.throws(
      read({ comment: 'on-failure', 'github-token': ' ' }),
      /^InputError: Invalid github-token '': comment: on-failure posts with it; expected a token with pull-requests: write/,
    );
    assert.equal(read({ comment: 'always', 'github-token': 'ghs_x' })().comment, 'always');
  });

  it('refuse a token with a space, a line break or a character outside ASCII, without quoting it', () => {
    for (const token of [
      'ghs_abc def',
      'ghs_abc\nX-Evil: 1',
      'ghs_abc\u0000',
      'ghs_abc\u200b',
      'ghs_abc€',
    ]) {
      assert.throws(read({ 'github-token': token }), (error: Error) => {
        assert.match(
          error.message,
          /^Invalid github-token: it holds a space, a line break or a character outside printable ASCII/,
        );
        assert.ok(!error.message.includes('ghs_abc'), error.message);
        return true;
      });
    }
  });

  it('refuse a comment mode that is not listed', () => {
    assert.throws(
      read({ comment: 'yes' }),
      /Invalid comment 'yes': expected off, always or on-failure/,
    );
  });
});
