/**
 * src/config/options.ts against the code that uses it: the table of inputs and outputs is the one
 * source for action.yml, the README and the CLI, so it must agree with the reader and the outputs.
 * Every input in the table is read by `readSettings` and nothing else is; a bad value of each input
 * whose form can be checked is an `InputError` naming that input (and a new input must be placed on
 * one side or the other); the required ones are required; every default in the table parses and is
 * what the reader falls back to. The outputs a comparison sets are exactly the table's OUTPUTS,
 * and an absolute check's are those without the comparison ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acceptedText,
  CLI_OPTIONS,
  cliFlag,
  option,
  OPTIONS,
  OUTPUTS,
} from '../../src/config/options.js';
import { InputError, readSettings } from '../../src/config/settings.js';
import { outputsOf } from '../../src/present/outputs.js';
import { absoluteCheck, comparisonCheck, settingsOf } from '../helpers/fixtures.js';

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? '';

const valid = { port: '8080' };
const names = OPTIONS.map((o) => o.name);
const sorted = (list: Iterable<string>) => [...list].sort();

/** A value of each input that `readSettings` must refuse. */
const BAD: Record<string, string> = {
  port: '70000',
  'min-requests': '-1',
  duration: '0',
  host: 'http://example',
  path: 'health',
  connections: '0',
  pipelining: '101',
  'busy-poll': 'yes',
  timeout: '0',
  'wait-timeout': '-1',
  warmup: '3601',
  'expected-status': '2xx',
  headers: 'no colon here',
  'secret-headers': 'no colon here',
  'baseline-port': '0',
  'baseline-host': 'a b',
  'baseline-path': 'x',
  rounds: '1',
  'max-regression': '101',
  confidence: '1',
  url: 'ftp://127.0.0.1/',
  'baseline-url': 'http://',
  method: 'GET /',
  body: 'x'.repeat(10 * 1024 * 1024 + 1),
  'body-file': '/no/such/body.json',
  'content-type': 'text/plain\u0001',
  targets: 'GET /a\nnot a header',
  insecure: 'yes',
  'ca-file': '/no/such/ca.pem',
  http2: 'maybe',
  'min-rps': '-1',
  'max-error-rate': '101',
  'max-p50-ms': '0',
  'max-p95-ms': 'fast',
  'max-p99-ms': '-1',
  rate: '0',
  comment: 'yes',
  'github-token': 'ghs_abc def',
};

/**
 * Inputs whose value `readSettings` takes as it is: file paths. `baseline-file` is checked when it
 * is read (src/config/baseline-file.ts), the written files by src/config/written-files.ts.
 */
const UNCHECKED = ['baseline-file', 'report-file', 'benchmark-file', 'benchmark-latency-file'];

describe('the inputs of the table', () => {
  it('are unique, as are their CLI flags and short flags', () => {
    assert.equal(new Set(names).size, names.length);
    const flags = CLI_OPTIONS.map(cliFlag).filter((f) => f !== null);
    assert.equal(new Set(flags).size, flags.length);
    assert.equal(flags.length, CLI_OPTIONS.length - 1, 'one positional, the port (or the url)');
    const cliSpec = (name: string) => CLI_OPTIONS.find((spec) => spec.name === name);
    assert.equal(cliFlag(cliSpec('port')!), null);
    assert.equal(cliFlag(cliSpec('headers')!), 'header');
    const shorts = CLI_OPTIONS.flatMap((o) => (o.cli.short ? [o.cli.short] : []));
    assert.equal(new Set(shorts).size, shorts.length);
    assert.throws(() => option('no-such-input'), /no input named no-such-input/);
  });

  it('are each read by readSettings, and readSettings reads no other', () => {
    const asked = new Set<string>();
    const inputs: Record<string, string> = { ...valid, 'baseline-port': '9090' };
    readSettings((name) => {
      asked.add(name);
      return inputs[name] ?? '';
    });
    assert.deepEqual(sorted(asked), sorted(names));
  });

  it('are each either checked (a bad value below) or a path taken as it is', () => {
    assert.deepEqual(sorted([...Object.keys(BAD), ...UNCHECKED]), sorted(names));
  });

  for (const [name, value] of Object.entries(BAD)) {
    it(`refuse a bad ${name} with an InputError naming it`, () => {
      const inputs = {
        ...valid,
        ...(name.startsWith('baseline-') && name !== 'baseline-url'
          ? { 'baseline-port': '9090' }
          : {}),
        ...(name === 'url' ? { port: '' } : {}),
        [name]: value,
      };
      assert.throws(
        () => readSettings(reader(inputs)),
        (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          assert.equal(error.input, name);
          assert.ok(error.message.includes(name), error.message);
          return true;
        },
      );
    });
  }

  it('require nothing but a target: a port or a url, as the reader says', () => {
    assert.deepEqual(
      OPTIONS.filter((o) => o.required).map((o) => o.name),
      [],
    );
    assert.doesNotThrow(() => readSettings(reader(valid)));
    assert.throws(() => readSettings(reader({})), /port|url/);
  });

  it('have defaults that parse, and that are what the reader falls back to', () => {
    const fallback = readSettings(reader(valid));
    // An expression (github-token's) is the runner's to evaluate: the reader has no fallback.
    const withDefaults = OPTIONS.filter((o) => o.default !== '' && !o.expression);
    assert.ok(withDefaults.length >= 10, `${withDefaults.length} defaults`);
    for (const { name, default: value } of withDefaults) {
      assert.deepEqual(readSettings(reader({ ...valid, [name]: value })), fallback, name);
    }
    const all = Object.fromEntries(withDefaults.map((o) => [o.name, o.default]));
    assert.deepEqual(readSettings(reader({ ...valid, ...all })), fallback);
  });

  it('bound the reader with their ranges: the top of each range is read, just above it refused', () => {
    let ranged = 0;
    for (const spec of OPTIONS) {
      const type = spec.type;
      if (type.kind !== 'integer' && type.kind !== 'seconds' && type.kind !== 'number') continue;
      if (type.max >= Number.MAX_SAFE_INTEGER) continue;
      ranged++;
      const base = valid;
      const top = String(type.max);
      const above = String(type.kind === 'integer' ? type.max + 1 : type.max * 1.001);
      assert.doesNotThrow(() => readSettings(reader({ ...base, [spec.name]: top })), spec.name);
      assert.throws(
        () => readSettings(reader({ ...base, [spec.name]: above })),
        (error: unknown) =>
          error instanceof InputError &&
          error.input === spec.name &&
          error.message.includes(top) &&
          acceptedText(spec).includes(top),
        spec.name,
      );
    }
    assert.ok(ranged >= 10, `${ranged} ranged inputs`);
  });

  it('have CLI defaults that parse', () => {
    for (const spec of OPTIONS.filter((o) => o.cliDefault !== undefined)) {
      const inputs = { ...valid, [spec.name]: spec.cliDefault ?? '' };
      assert.doesNotThrow(() => readSettings(reader(inputs)), spec.name);
    }
  });
});

describe('the outputs of the table', () => {
  const written = {
    report: '/tmp/report.json',
    'benchmark-file': '/tmp/benchmark.json',
    'benchmark-latency-file': '/tmp/latency.json',
  };
  const outputNames = OUTPUTS.map((o) => o.name);
  const comparisonOnly = OUTPUTS.filter((o) => o.comparisonOnly === true).map((o) => o.name);

  it('are unique, the comparison ones described as such', () => {
    assert.equal(new Set(outputNames).size, outputNames.length);
    assert.deepEqual(sorted(comparisonOnly), [
      'baseline-requests',
      'change-high',
      'change-low',
      'change-percent',
      'detectable-regression',
      'verdict',
    ]);
    for (const spec of OUTPUTS) {
      assert.equal(spec.description.startsWith('In a comparison'), spec.comparisonOnly === true);
    }
  });

  it('are exactly what a comparison sets, with both files written', () => {
    for (const kind of ['paired', 'saved'] as const) {
      const settings = settingsOf({ 'baseline-port': '9090' });
      const keys = Object.keys(outputsOf(comparisonCheck(settings, kind), written));
      assert.deepEqual(sorted(keys), sorted(outputNames), kind);
    }
  });

  it('without the comparison ones, are exactly what an absolute check sets', () => {
    const settings = settingsOf();
    const keys = Object.keys(outputsOf(absoluteCheck(settings), written));
    assert.deepEqual(
      sorted(keys),
      sorted(outputNames.filter((name) => !comparisonOnly.includes(name))),
    );
  });
});
