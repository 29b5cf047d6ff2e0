/**
 * src/config/written-files.ts: `report-file` and `benchmark-file` are refused, with an
 * `InputError` naming the input, when one is a runner's own file (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
 * ...) by the same path, another spelling of it, or a link to it, or when the two are the same
 * file. Unset files and unset runner variables are left alone. Files in a temporary folder.
 */
import assert from 'node:assert/strict';
import { linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../src/config/settings.js';
import { checkWrittenFiles } from '../../src/config/written-files.js';

const dir = mkdtempSync(join(tmpdir(), 'http-load-check-written-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const output = join(dir, 'output');
writeFileSync(output, '');
const env = { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: join(dir, 'summary') };

function refused(
  files: { reportFile?: string; benchmarkFile?: string },
  input: string,
  message: RegExp,
): void {
  assert.throws(
    () => checkWrittenFiles({ reportFile: '', benchmarkFile: '', ...files }, env),
    (error: unknown) => {
      assert.ok(error instanceof InputError, String(error));
      assert.equal(error.input, input);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('checkWrittenFiles', () => {
  it("refuses a runner's own file, by its path or another spelling of it", () => {
    refused(
      { reportFile: output },
      'report-file',
      /^Invalid report-file '\/.*\/output': it is the runner's GITHUB_OUTPUT file, which writing the report there would replace/,
    );
    refused(
      { benchmarkFile: join(dir, '.', 'x', '..', 'summary') },
      'benchmark-file',
      /GITHUB_STEP_SUMMARY/,
    );
    refused({ reportFile: relative(process.cwd(), output) }, 'report-file', /GITHUB_OUTPUT/);
  });

  it("refuses a link to a runner's own file, symbolic or hard", () => {
    const soft = join(dir, 'soft');
    const hard = join(dir, 'hard');
    symlinkSync(output, soft);
    linkSync(output, hard);
    refused({ reportFile: soft }, 'report-file', /GITHUB_OUTPUT/);
    refused({ benchmarkFile: hard }, 'benchmark-file', /GITHUB_OUTPUT/);
  });

  it('refuses the same file for both', () => {
    const report = join(dir, 'report.json');
    refused(
      { reportFile: report, benchmarkFile: join(dir, 'sub', '..', 'report.json') },
      'benchmark-file',
      /^Invalid benchmark-file '.*': it is the same file as report-file; expected a file of its own$/,
    );
  });

  it('takes files of their own, unset files, and runner variables that are not set', () => {
    assert.doesNotThrow(() =>
      checkWrittenFiles(
        { reportFile: join(dir, 'report.json'), benchmarkFile: join(dir, 'bench.json') },
        env,
      ),
    );
    assert.doesNotThrow(() => checkWrittenFiles({ reportFile: '', benchmarkFile: '' }, env));
    assert.doesNotThrow(() => checkWrittenFiles({ reportFile: output, benchmarkFile: '' }, {}));
  });
});
