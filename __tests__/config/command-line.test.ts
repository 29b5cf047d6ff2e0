/**
 * src/config/command-line.ts, pure: how the CLI's arguments become the raw text of the action's
 * inputs (the flags and the help come from the options table), and what counts as bad usage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, usage } from '../../src/config/command-line.js';
import { CLI_OPTIONS, cliFlag, OPTIONS } from '../../src/config/options.js';
import { readSettings } from '../../src/config/settings.js';

function inputsOf(argv: string[]): Map<string, string> {
  const line = parseCommandLine(argv);
  assert.ok(!('problem' in line), JSON.stringify(line));
  return line.inputs;
}

describe('the command line', () => {
  it('takes the port as the first argument, each option as its input, -H as headers lines', () => {
    const inputs = inputsOf([
      '8080',
      '--duration',
      '2.5',
      '--baseline-port=9090',
      '-H',
      'X-A: 1',
      '--header',
      'X-B: 2',
    ]);
    assert.equal(inputs.get('port'), '8080');
    assert.equal(inputs.get('duration'), '2.5');
    assert.equal(inputs.get('baseline-port'), '9090');
    assert.equal(inputs.get('headers'), 'X-A: 1\nX-B: 2');
  });

  it('gives no input the action would not have: min-requests is 0 (off) in both', () => {
    const inputs = inputsOf(['8080']);
    assert.deepEqual(Object.fromEntries(inputs), { port: '8080' });
    const settings = readSettings((name) => inputs.get(name) ?? '');
    assert.equal(settings.minRequests, 0);
    assert.equal(settings.durationSec, 5);
  });

  it('has a flag for every input but the port and the action-only ones, and reads each back under its input name', () => {
    assert.deepEqual(
      OPTIONS.filter((spec) => !spec.cli).map((spec) => spec.name),
      ['comment', 'github-token'],
    );
    for (const spec of CLI_OPTIONS) {
      const flag = cliFlag(spec);
      if (flag === null) continue;
      if (spec.cli.boolean) assert.equal(inputsOf([`--${flag}`]).get(spec.name), 'true', flag);
      else assert.equal(inputsOf([`--${flag}`, 'x']).get(spec.name), 'x', flag);
    }
  });

  it('takes a URL as the first argument, and the short flags of autocannon and curl', () => {
    const inputs = inputsOf([
      'https://127.0.0.1:8443/api?x=1',
      '-c',
      '4',
      '-d',
      '10s',
      '-p',
      '2',
      '-m',
      'POST',
      '-b',
      '{}',
      '-k',
      '-H',
      'X-A: 1',
      '--http2',
    ]);
    assert.deepEqual(Object.fromEntries(inputs), {
      url: 'https://127.0.0.1:8443/api?x=1',
      connections: '4',
      duration: '10s',
      pipelining: '2',
      method: 'POST',
      body: '{}',
      insecure: 'true',
      headers: 'X-A: 1',
      http2: 'true',
    });
    const settings = readSettings((name) => inputs.get(name) ?? '');
    assert.deepEqual(
      [settings.scheme, settings.port, settings.durationSec, settings.http2],
      ['https', 8443, 10, true],
    );
    // Not a port and not a URL: the reader says what a URL must be.
    assert.throws(
      () => readSettings((name) => inputsOf(['localhost:8080']).get(name) ?? ''),
      /Invalid url 'localhost:8080'/,
    );
  });

  it('calls unknown options, a missing value and extra arguments bad usage', () => {
    for (const argv of [['--bogus'], ['8080', '--duration'], ['1', '2']]) {
      const line = parseCommandLine(argv);
      assert.ok('problem' in line, argv.join(' '));
    }
    assert.match((parseCommandLine(['1', '2']) as { problem: string }).problem, /Too many/);
  });

  it('answers --help and --version whatever else the line holds', () => {
    const line = parseCommandLine(['1', '2', '--help']);
    assert.ok(!('problem' in line) && line.help);
    const version = parseCommandLine(['-v']);
    assert.ok(!('problem' in version) && version.version);
  });
});

describe('the help', () => {
  it('lists every flag with its placeholder and default, in lines of at most 80 columns', () => {
    const text = usage();
    for (const spec of CLI_OPTIONS) {
      const flag = cliFlag(spec);
      if (flag === null) continue;
      assert.ok(text.includes(`--${flag}${spec.cli.boolean ? '' : ` ${spec.cli.value}`}`), flag);
    }
    assert.match(text, /--connections <n> +keep-alive connections, 1-1000 \[1\]/);
    assert.match(text, /--min-requests <n> .*\[0\]/);
    assert.match(text, /\[not written\]/);
    assert.match(
      text,
      /^Sends GET requests to http:\/\/127\.0\.0\.1:<port>\/ \(or to the URL\) for 5 s,$/m,
    );
    assert.match(text, /^ {2}-k, --insecure +accept any certificate \(https\)$/m);
    for (const line of text.split('\n')) assert.ok(line.length <= 80, line);
  });
});
