/** Checks the paths of the files a run writes, before any connection is made. */
import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import { InputError } from './settings.js';

/** The runner's own files; a report written over one of them would break the job. */
const RUNNER_FILES = [
  'GITHUB_OUTPUT',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_STATE',
] as const;

/**
 * Refuses a `report-file`, `benchmark-file` or `benchmark-latency-file` that is one of the runner's
 * own files (whose contents it would replace) or another of the three. Throws an `InputError` naming the input.
 */
export function checkWrittenFiles(
  settings: { reportFile: string; benchmarkFile: string; benchmarkLatencyFile?: string },
  env: NodeJS.ProcessEnv = process.env,
): void {
  const files = [
    ['report-file', settings.reportFile],
    ['benchmark-file', settings.benchmarkFile],
    ['benchmark-latency-file', settings.benchmarkLatencyFile ?? ''],
  ] as const;
  for (const [input, path] of files) {
    if (path === '') continue;
    const clash = RUNNER_FILES.find((name) => env[name] && samePath(path, env[name]));
    if (clash) {
      throw new InputError(
        input,
        `Invalid ${input} '${path}': it is the runner's ${clash} file, which writing the report ` +
          `there would replace; expected a file of its own, e.g. \${{ runner.temp }}/http-load-check.json`,
      );
    }
  }
  // Each file of its own: a later one would replace an earlier one's contents.
  for (let i = 1; i < files.length; i++) {
    const [input, path] = files[i];
    const twin = files.slice(0, i).find(([, other]) => path && other && samePath(path, other));
    if (twin) {
      throw new InputError(
        input,
        `Invalid ${input} '${path}': it is the same file as ${twin[0]}; expected a file of its own`,
      );
    }
  }
}

/** The same file: the same absolute path, or (when both exist) the same file behind links. */
function samePath(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    // One file behind both names, through symbolic or hard links.
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
