/**
 * src/config/baseline-file.ts: reading a report saved by an earlier run as `baseline-file`.
 * `parseSavedBaseline` (pure) takes schemaVersion 1, 2 and 3 (whose samples, result and settings read
 * the same) and refuses any other; it keeps what the summary shows, with the saved result rebuilt
 * from plain numbers only (text in a count reads 0, odd keys are dropped, a time that is not one is
 * left out); and it refuses, with an `InputError` naming the input and the file, whatever would
 * break the comparison later: no samples, too few or too many, samples that fit the run's duration
 * fewer than 2 or more than 2,000 times, rates no run could have. A report this version writes
 * reads back. `readSavedBaseline` reads only a regular file (in a temporary folder here).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSavedBaseline, readSavedBaseline } from '../../src/config/baseline-file.js';
import { InputError } from '../../src/config/settings.js';
import { jsonReport, jsonText } from '../../src/present/json.js';
import { runEnvironment } from '../../src/system/environment.js';
import { absoluteCheck, result, settingsOf } from '../helpers/fixtures.js';

/** The fields of a saved report that are read, as an earlier run wrote them. */
const report = {
  schemaVersion: 3,
  createdAt: '2026-11-20T10:00:00.000Z',
  target: 'http://127.0.0.1:8080/',
  environment: { sha: '0123456789abcdef0123', ref: 'refs/heads/main' },
  settings: { connections: 2, pipelining: 1, path: '/health', durationSec: 5 },
  samples: { sampleSec: 0.5, rps: [1000, 1010, 990, 1004] },
  result: { ...result, rps: 2468 },
};
const text = (changes: Record<string, unknown> = {}) => JSON.stringify({ ...report, ...changes });

/** Asserts that `run` throws an InputError for baseline-file naming `path`, matching `message`. */
function refuses(run: () => unknown, message: RegExp, path = 'saved.json'): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.input, 'baseline-file');
    assert.ok(error.message.startsWith(`Invalid baseline-file '${path}': `), error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('parseSavedBaseline', () => {
  it('reads schemaVersion 1, 2 and 3 alike, and keeps what the summary shows', () => {
    for (const schemaVersion of [1, 2, 3]) {
      const saved = parseSavedBaseline(text({ schemaVersion }), 'saved.json', 5);
      assert.deepEqual(
        { ...saved, result: undefined },
        {
          path: 'saved.json',
          createdAt: '2026-11-20T10:00:00.000Z',
          target: 'http://127.0.0.1:8080/',
          environment: { sha: '0123456789abcdef0123', ref: 'refs/heads/main' },
          settings: {
            connections: 2,
            pipelining: 1,
            path: '/health',
            durationSec: 5,
            scheme: 'http',
            http2: false,
            requests: null,
          },
          samples: { sampleSec: 0.5, rps: [1000, 1010, 990, 1004] },
          result: undefined,
        },
        `schemaVersion ${schemaVersion}`,
      );
      assert.equal(saved.result.requests, 12340);
      assert.deepEqual(saved.result.errorsByKind, { ECONNRESET: 2 });
      assert.deepEqual(saved.result.perSecond, result.perSecond);
    }
  });

  it('refuses any other schemaVersion', () => {
    for (const schemaVersion of [0, 4, '3', null]) {
      refuses(
        () => parseSavedBaseline(text({ schemaVersion }), 'saved.json', 5),
        new RegExp(
          `schemaVersion is ${JSON.stringify(schemaVersion)}; expected a report written by http-load-check \\(its report-file, schemaVersion 3\\)$`,
        ),
      );
    }
    refuses(
      () => parseSavedBaseline(text({ schemaVersion: undefined }), 'saved.json', 5),
      /schemaVersion is undefined/,
    );
  });

  it('reads a saved result as plain numbers: text in a count reads 0, odd keys are dropped', () => {
    const hostile = JSON.stringify({
      schemaVersion: 1,
      createdAt: 'see https://example.invalid',
      settings: { connections: 1, pipelining: 1, path: '/', durationSec: 5 },
      samples: { sampleSec: 0.5, rps: [100, 100] },
      result: {
        requests: 100,
        unexpectedStatus: '0 | [x](https://example.invalid)',
        errors: -3,
        timeouts: 'HUGE',
        windowMs: 1000,
        statusCounts: { 200: 100, '<b>': 1 },
        errorsByKind: { ECONNRESET: 2, 'a | b': 3, UND_ERR_SOCKET: 'many' },
        latency: { p50Us: 'x', p99Us: 250 },
      },
      // A number JSON.parse reads as Infinity.
    }).replace('"HUGE"', '1e400');
    const { result: saved } = parseSavedBaseline(hostile, 'saved.json', 5);
    assert.equal(saved.requests, 100);
    assert.equal(saved.unexpectedStatus, 0);
    assert.equal(saved.errors, 0);
    assert.equal(saved.timeouts, 0);
    assert.deepEqual(saved.statusCounts, { 200: 100 });
    assert.deepEqual(saved.errorsByKind, { ECONNRESET: 2, UND_ERR_SOCKET: 0 });
    assert.equal(saved.latency.p50Us, 0);
    assert.equal(saved.latency.p99Us, 250);
    assert.equal(
      parseSavedBaseline(hostile, 'saved.json', 5).createdAt,
      '',
      'not a time: left out',
    );
  });

  const refusals: [string, string, RegExp][] = [
    ['not JSON', 'not json', /: not JSON;/],
    ['null', 'null', /: not a JSON object;/],
    ['a number', '42', /: not a JSON object;/],
    ['no samples', text({ samples: undefined }), /: it has no samples;/],
    ['samples without rates', text({ samples: { sampleSec: 0.5 } }), /: it has no samples;/],
    [
      'a sample length of 0',
      text({ samples: { sampleSec: 0, rps: [100, 100] } }),
      /samples\.sampleSec is 0, not a number of seconds greater than 0 and at most 3600/,
    ],
    [
      'one sample',
      text({ samples: { sampleSec: 0.5, rps: [100] } }),
      /it holds 1 sample\(s\), not all above 0; a baseline needs at least 2 samples/,
    ],
    [
      'a sample of 0',
      text({ samples: { sampleSec: 0.5, rps: [100, 0] } }),
      /it holds 2 sample\(s\), not all above 0/,
    ],
    [
      'a sample that is text',
      text({ samples: { sampleSec: 0.5, rps: [100, '100'] } }),
      /not all above 0/,
    ],
    [
      'more than 2000 samples',
      text({ samples: { sampleSec: 0.5, rps: new Array(2001).fill(100) } }),
      /it holds 2001 samples, more than 2000/,
    ],
    [
      'samples too long for the run',
      text({ samples: { sampleSec: 3, rps: [100, 100] } }),
      /its samples are 3 s long, so 1 fit\(s\) in the 5 s of this run and at least 2 are needed: set duration to at least 6/,
    ],
    [
      'samples too short for the run',
      text({ samples: { sampleSec: 0.001, rps: [1000, 1000] } }),
      /its samples are 0\.001 s long, so 5000 would fit in the 5 s of this run, more than 2000: set duration to at most 2/,
    ],
    [
      'a rate beyond any generator',
      text({ samples: { sampleSec: 0.5, rps: [100, 2e9] } }),
      /sample 2 is 2000000000 req\/s, not a rate of at least 1 request per 0\.5 s sample and at most 1000000000 req\/s/,
    ],
    [
      'a rate below one request a sample',
      text({ samples: { sampleSec: 0.5, rps: [1.5, 100] } }),
      /sample 1 is 1\.5 req\/s/,
    ],
    ['no result', text({ result: undefined }), /it has no result or settings/],
    [
      'a result without requests',
      text({ result: { windowMs: 5 } }),
      /it has no result or settings/,
    ],
    ['no settings', text({ settings: undefined }), /it has no result or settings/],
    [
      'a run at a fixed rate',
      text({ settings: { ...report.settings, rate: 200 } }),
      /it was measured at a fixed rate \(rate 200\), which sets its throughput; save the baseline from a run without rate$/,
    ],
  ];
  for (const [what, input, message] of refusals) {
    it(`refuses ${what}, naming the input and the file`, () => {
      refuses(() => parseSavedBaseline(input, 'saved.json', 5), message);
    });
  }

  it('takes exactly 2 and exactly 2000 samples that fit the run', () => {
    const fits = (sampleSec: number, durationSec: number) =>
      parseSavedBaseline(text({ samples: { sampleSec, rps: [1000, 1000] } }), 'x', durationSec);
    assert.equal(fits(2.5, 5).samples.sampleSec, 2.5);
    assert.equal(fits(0.0025, 5).samples.sampleSec, 0.0025);
    refuses(() => fits(0.0025, 5.01), /so 2004 would fit/, 'x');
  });

  it('reads back a report this version writes', () => {
    const settings = settingsOf({ 'min-requests': '1' });
    const check = absoluteCheck(settings, { samples: { sampleSec: 0.5, rps: [2400, 2500, 2470] } });
    const written = jsonText(jsonReport(settings, check, [], runEnvironment({})));
    const saved = parseSavedBaseline(written, 'written.json', 5);
    assert.deepEqual(saved.samples, { sampleSec: 0.5, rps: [2400, 2500, 2470] });
    assert.deepEqual(saved.result, result);
    assert.deepEqual(saved.settings, {
      connections: 1,
      pipelining: 1,
      path: '/',
      durationSec: 5,
      scheme: 'http',
      http2: false,
      requests: 'GET /',
    });
    assert.equal(saved.target, 'http://127.0.0.1:8080/');
  });
});

describe('readSavedBaseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'http-load-check-baseline-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file', () => {
    const path = join(dir, 'main.json');
    writeFileSync(path, text());
    const saved = readSavedBaseline(path, 5);
    assert.equal(saved.path, path);
    assert.deepEqual(saved.samples.rps, report.samples.rps);
  });

  it('refuses a missing file, a folder and a device, naming the input', () => {
    const missing = join(dir, 'missing.json');
    refuses(() => readSavedBaseline(missing, 5), /cannot read it \(ENOENT\)/, missing);
    refuses(() => readSavedBaseline(dir, 5), /it is not a regular file \(a directory\)/, dir);
    refuses(
      () => readSavedBaseline('/dev/null', 5),
      /it is not a regular file \(a device\)/,
      '/dev/null',
    );
  });

  it('says what is wrong inside the file, as parseSavedBaseline does', () => {
    const path = join(dir, 'text.json');
    writeFileSync(path, 'not json');
    refuses(() => readSavedBaseline(path, 5), /: not JSON;/, path);
  });
});
