/** What a run ran on, for the report: the machine, Node, and GitHub Actions' variables when set. */
import { arch, cpus, platform } from 'node:os';
import type { RunEnvironment } from '../model/check.js';

export function runEnvironment(env: NodeJS.ProcessEnv = process.env): RunEnvironment {
  const cores = cpus();
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? '',
    runnerOs: env.RUNNER_OS ?? null,
    runnerName: env.RUNNER_NAME ?? null,
    repository: env.GITHUB_REPOSITORY ?? null,
    sha: env.GITHUB_SHA ?? null,
    ref: env.GITHUB_REF ?? null,
    runId: env.GITHUB_RUN_ID ?? null,
  };
}
