/**
 * The warnings a run raises besides its decision, through the session (src/session.ts) run in this
 * process (helpers/session.ts) against real loopback servers: `min-requests` set inside the noise
 * of the count, and a saturated load generator. Each is one list that the log (before the decision
 * line), the job summary and the JSON report all show. How the action's runner annotates them
 * (title, %-encoding) is bundle/action.test.ts; a saved baseline of other settings is
 * session/files.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doneOf, readJson, runInProcess } from '../helpers/session.js';
import { startServer } from '../helpers/servers.js';

describe('a gate set inside the noise', () => {
  it('warns when min-requests is within the noise band of the count, and not when far below', async () => {
    // At most 100 responses a second: each answer waits 10 ms. 190 is within 10% (the narrowest
    // band) of any count from 173 to 211.
    const slow = await startServer((_req, res) => setTimeout(() => res.end('ok'), 10));
    try {
      const near = await runInProcess({
        port: String(slow.port),
        duration: '2',
        'min-requests': '190',
      });
      const warning =
        /^::warning title=min-requests is inside the noise::(min-requests 190 is within \d+% of the measured \d+.*)$/m.exec(
          near.stdout,
        );
      assert.ok(warning, near.stdout);
      assert.deepEqual(near.warnings, [warning[1]]);
      // Warnings come before the decision, which is the last line (as it is, or the failure).
      const lines = near.stdout.trimEnd().split('\n');
      assert.equal(lines.at(-1)?.replace(/^::error::/, ''), doneOf(near).check.decision.message);
      assert.ok(lines.indexOf(warning[0]) < lines.length - 1);
      assert.match(near.summary, /> \[!WARNING\]\n> min-requests 190 is within/);
      assert.match(
        near.summary,
        /\| Variation between seconds \| [\d.]+% \(noise band taken as ±\d+%\) \|/,
      );
      assert.deepEqual(readJson(near.outputs.report).warnings, [warning[1]], 'in the report too');

      const far = await runInProcess({
        port: String(slow.port),
        duration: '2',
        'min-requests': '10',
      });
      assert.equal(far.code, 0);
      assert.deepEqual(far.warnings, []);
      assert.doesNotMatch(far.stdout, /::warning/);
      assert.doesNotMatch(far.summary, /\[!WARNING\]/);
      assert.deepEqual(readJson(far.outputs.report).warnings, []);
    } finally {
      await slow.close();
    }
  });
});

describe('a saturated load generator', () => {
  it('warns that the count measures the runner too', async () => {
    // The server shares this process: the loop is busy all the time, with nothing left idle.
    const target = await startServer();
    try {
      const run = await runInProcess({
        port: String(target.port),
        duration: '0.5',
        connections: '4',
        'min-requests': '1',
      });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.warnings.length, 1, JSON.stringify(run.warnings));
      assert.match(
        run.warnings[0],
        /^The load generator was saturated \(it used \d+% of a CPU core, event loop busy \d+% of the time\)/,
      );
      assert.ok(run.stdout.includes(`::warning::${run.warnings[0]}\n`));
      assert.match(run.summary, /> \[!WARNING\]\n> The load generator was saturated/);
      assert.deepEqual(readJson(run.outputs.report).warnings, run.warnings);
    } finally {
      await target.close();
    }
  });
});
