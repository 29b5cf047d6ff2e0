/**
 * The file helpers of src/system/files.ts, on real files: the writer, and the check of the
 * runner's own files (which must be regular files).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkRunnerFile, writeTextFile } from '../../src/system/files.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'http-load-check-files-'));

describe('writeTextFile', () => {
  it('a report bigger than a pipe buffer, to a FIFO with a slow reader: written whole', async () => {
    // Opened non-blocking to find a reader; before, the writes stayed non-blocking and failed
    // with EAGAIN once the pipe was full.
    const dir = tempDir();
    const fifo = join(dir, 'slow-fifo');
    execFileSync('mkfifo', [fifo]);
    // The reader writes to a file: our write is synchronous, so nothing would drain a pipe to us.
    const copy = join(dir, 'slow-fifo-copy');
    const reader = spawn('sh', ['-c', 'exec 3<"$0"; sleep 0.3; cat <&3 >"$1"', fifo, copy]);
    const closed = new Promise((resolve) => reader.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = `${JSON.stringify({ filler: 'x'.repeat(256 * 1024) })}\n`;
    // Until the reader's shell has opened the FIFO, the write fails with ENXIO: try again.
    for (let i = 0; ; i++) {
      try {
        assert.equal(writeTextFile(fifo, text), fifo);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENXIO' || i > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await closed;
    assert.equal(readFileSync(copy, 'utf8'), text);
  });
});

describe('checkRunnerFile', () => {
  it('accepts a regular file; refuses a missing file, a folder and a FIFO, saying which', () => {
    const dir = tempDir();
    const file = join(dir, 'output');
    writeFileSync(file, '');
    checkRunnerFile(file);
    assert.throws(() => checkRunnerFile(join(dir, 'missing')), /cannot use it \(ENOENT\)/);
    assert.throws(() => checkRunnerFile(dir), /not a regular file \(a directory\)/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => checkRunnerFile(fifo), /not a regular file \(a FIFO\)/);
  });
});
