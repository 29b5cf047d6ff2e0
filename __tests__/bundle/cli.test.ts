/**
 * The CLI's contract, through its built bundle (dist/cli/index.js, the package's `bin`) run as a
 * user runs it (helpers/bundle.ts): the standard line first on stdout, exit codes 0 (passed), 1
 * (failed), 2 (bad usage, nothing sent), 3 (never ready) and 130 (interrupted), warnings and the failure on stderr with the decision
 * last, --json, --help, --version, and the file options wired to their inputs. What a run does with
 * its target is tested in process (session/*.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VERSION } from '../../src/version.js';
import { CLI_BUNDLE, runCli as cli } from '../helpers/bundle.js';
import { closedPort, startServer, type TestServer } from '../helpers/servers.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('http-load-check CLI', () => {
  let target: TestServer;
  before(async () => (target = await startServer()));
  after(() => target.close());

  it('`http-load-check <port>` prints the original two lines, then the details', async () => {
    const before = target.served();
    // busy-poll set: the trial of auto is uncounted load (counted against the server in action.test.ts).
    const run = await cli([String(target.port), '--duration', '0.5', '--busy-poll', 'true']);
    assert.equal(run.code, 0, run.stderr);
    const m = /^http test running\.\.\.\rhttp test running\.\.\. ok, (\d+) requests made\n/.exec(
      run.stdout,
    );
    assert.ok(m, JSON.stringify(run.stdout));
    // The server also answered the readiness probe.
    assert.equal(Number(m[1]), target.served() - before - 1);
    assert.match(run.stdout, /req\/s over 0\.5\d* s/);
  });

  it('exits 1 below --min-requests, with warnings, then the reason, on stderr', async () => {
    const run = await cli([String(target.port), '--duration', '0.3', '--min-requests', '1e9']);
    assert.equal(run.code, 2, 'min-requests takes a whole number');
    const dir = mkdtempSync(join(tmpdir(), 'http-load-check-cli-'));
    writeFileSync(join(dir, 'a-file'), ''); // a file where a folder would have to be
    const below = await cli([
      String(target.port),
      '--duration',
      '0.3',
      '--min-requests',
      '999999999',
      '--report-file',
      join(dir, 'a-file', 'report.json'),
    ]);
    assert.equal(below.code, 1);
    // The warnings first (the generator's share of this machine may be one); the decision last.
    assert.match(
      below.stderr,
      /^(warning: .*\n)*warning: Could not write report-file .*a-file\/report\.json: .*\n(warning: .*\n)*Check failed: \d+ requests in 0\.3 s, below min-requests 999999999\n$/,
    );
  });

  it('exits 3 when the target never became ready, 130 when interrupted', async () => {
    const down = await cli([String(await closedPort()), '--wait-timeout', '0.2']);
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, /Target http:\/\/127\.0\.0\.1:\d+\/ did not answer within 0\.2 s/);
    const child = spawn(process.execPath, [CLI_BUNDLE, String(target.port), '--duration', '30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Interrupt once the load runs: the start line is out.
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').once('data', () => resolve()),
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 130);
  });

  for (const args of [['--duration', '5sec', '1'], ['--bogus'], [], ['1', '2'], ['ftp://x']]) {
    it(`exits 2 on bad usage (${args.join(' ') || 'no port'}) and sends nothing`, async () => {
      const connections = target.connections();
      const run = await cli(args.map((a) => (a === '1' ? String(target.port) : a)));
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /^http-load-check: .+\nRun 'http-load-check --help' for the options\.\n$/,
      );
      assert.equal(run.stdout, '');
      assert.equal(target.connections(), connections);
    });
  }

  it('takes a URL, short flags, and the targets from stdin with --targets -', async () => {
    const before = target.served();
    const run = await cli(
      [
        `http://127.0.0.1:${target.port}/base/`,
        '-d',
        '300ms',
        '-c',
        '2',
        '-m',
        'POST',
        '-b',
        'x',
        '--targets',
        '-',
        '--wait-timeout',
        '0',
      ],
      'GET a\n\nPOST /b\n',
    );
    assert.equal(run.code, 0, run.stderr);
    const m = /^http test running\.\.\.\rhttp test running\.\.\. ok, (\d+) requests made\n/.exec(
      run.stdout,
    );
    assert.ok(m, JSON.stringify(run.stdout));
    assert.equal(Number(m[1]), target.served() - before);
    assert.match(run.stdout, /^route GET \/base\/a: \d+ requests/m);
    assert.match(run.stdout, /^route POST \/b: \d+ requests/m);
  });

  it('reads stdin as targets text even on one line, and refuses it empty', async () => {
    const base = [String(target.port), '-d', '200ms', '--targets', '-', '--wait-timeout', '0'];
    const one = await cli([...base, '--json'], 'GET users');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(
      JSON.parse(one.stdout).settings.routes.map((r: { name: string }) => r.name),
      ['GET /users'],
    );
    const connections = target.connections();
    for (const input of ['', '  \n\n']) {
      const empty = await cli(base, input);
      assert.equal(empty.code, 2, JSON.stringify(input));
      assert.match(
        empty.stderr,
        /^http-load-check: Invalid targets \(stdin\): it is empty; expected/,
      );
    }
    assert.equal(target.connections(), connections);
  });

  it('--json prints the report with header values hidden', async () => {
    const run = await cli([
      String(target.port),
      '--duration',
      '0.3',
      '--json',
      '-H',
      'X-Token: hush',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.schemaVersion, 3);
    assert.equal(report.decision.outcome, 'passed');
    assert.ok(report.result.requests > 0);
    assert.deepEqual(report.settings.headers, [['X-Token', '***']]);
    assert.ok(!run.stdout.includes('hush'));
    assert.equal(target.lastHeaders()['x-token'], 'hush');
  });

  it('--report-file saves a report that --baseline-file compares with; an unwritable path is a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'http-load-check-cli-'));
    const saved = join(dir, 'main.json');
    const first = await cli([String(target.port), '--duration', '1', '--report-file', saved]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(readFileSync(saved, 'utf8')).samples.rps.length, 2);
    writeFileSync(join(dir, 'a-file'), ''); // a file where a folder would have to be
    const second = await cli([
      String(target.port),
      '--duration',
      '1',
      '--baseline-file',
      saved,
      '--benchmark-file',
      join(dir, 'bench.json'),
      '--report-file',
      join(dir, 'a-file', 'report.json'),
    ]);
    assert.ok(second.code === 0 || second.code === 1, second.stderr);
    assert.match(second.stderr, /warning: Could not write report-file .*a-file\/report\.json/);
    assert.match(second.stdout, /head vs baseline: -?\d+\.\d% \(interval .+\), verdict \w+/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')).length, 1);
    const missing = await cli([String(target.port), '--baseline-file', join(dir, 'none.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Invalid baseline-file '.*none\.json': cannot read it/);
  });

  it('a reader that goes away after the standard line (| head -1): exit code stands, no crash', async () => {
    const child = spawn(process.execPath, [CLI_BUNDLE, String(target.port), '--duration', '0.3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Close the read end as soon as the load starts: every later write meets a broken pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  });

  it('--help and --version', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: http-load-check <port \| url> \[options\]/);
    for (const option of [
      '--duration',
      '--min-requests',
      '--connections',
      '--pipelining',
      '--busy-poll',
      '--timeout',
      '--wait-timeout',
      '--warmup',
      '--expected-status',
      '--header',
      '--host',
      '--path',
      '--json',
    ]) {
      assert.ok(help.stdout.includes(option), option);
    }
    // Every action input has its option (`headers` and `secret-headers` are the repeatable
    // `--header` and `--secret-header`), but the pull-request comment's, which only the action
    // posts.
    const actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const inputs = actionYml.slice(actionYml.indexOf('inputs:'), actionYml.indexOf('outputs:'));
    for (const [, name] of inputs.matchAll(/^ {2}([a-z-]+):$/gm)) {
      if (name === 'port') continue; // the positional argument
      if (name === 'comment' || name === 'github-token') {
        assert.ok(!help.stdout.includes(`--${name}`), name);
        continue;
      }
      const option = /^(secret-)?headers$/.test(name) ? `--${name.slice(0, -1)}` : `--${name}`;
      assert.ok(help.stdout.includes(option), `${name} has no ${option}`);
    }
    const version = await cli(['--version']);
    assert.equal(version.stdout, `${VERSION}\n`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(VERSION, pkg.version, 'src/version.ts follows package.json');
  });
});
