/**
 * Which pull request a run belongs to, from the runner's variables and the event payload: where
 * its comment goes, or why there is none; and what to say when posting fails. Reads no network:
 * posting is src/system/github.ts, which only the action loads.
 */
import { readFileSync } from 'node:fs';

/** The runner's variables, as the session sees them. */
type Env = Record<string, string | undefined>;

/** Where the comment goes, or why there is none to post on. */
export type CommentTarget =
  | {
      kind: 'pull-request';
      apiUrl: string;
      owner: string;
      repo: string;
      number: number;
      /** The page of this run, for the comment's link; null when the variables do not say. */
      runUrl: string | null;
      workflow: string;
      job: string;
      step: string;
    }
  | { kind: 'none'; reason: string };

export type PullRequest = Extract<CommentTarget, { kind: 'pull-request' }>;

export interface PostedComment {
  action: 'created' | 'updated' | 'none';
  /** The comment's page; '' when none was posted. */
  url: string;
}

export interface PostOptions {
  /** Create the comment when none is found (else only update one). */
  create: boolean;
  /** Stops the requests (the job is cancelled); they also give up after `timeoutMs` in all. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export type PostComment = (
  target: PullRequest,
  token: string,
  marker: string,
  body: string,
  options: PostOptions,
) => Promise<PostedComment>;

/** Events whose payload has a pull request a comment belongs on. */
const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/** The pull request this run belongs to, from GITHUB_EVENT_NAME, its payload and the run's place. */
export function commentTarget(env: Env): CommentTarget {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (!PULL_REQUEST_EVENTS.includes(event)) {
    const what = event ? `the ${event} event` : 'no event (GITHUB_EVENT_NAME is not set)';
    return {
      kind: 'none',
      reason: `this run is for ${what}, not a pull_request or pull_request_target event`,
    };
  }
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || rest.length > 0) {
    return {
      kind: 'none',
      reason: `GITHUB_REPOSITORY '${env.GITHUB_REPOSITORY ?? ''}' is not owner/name`,
    };
  }
  const number = pullRequestNumber(env.GITHUB_EVENT_PATH);
  if (typeof number === 'string') return { kind: 'none', reason: number };
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runId = env.GITHUB_RUN_ID ?? '';
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '';
  const runUrl =
    /^https?:\/\/[^\s()<>]+$/.test(server) && /^\d+$/.test(runId)
      ? `${server}/${owner}/${repo}/actions/runs/${runId}` +
        (/^\d+$/.test(attempt) ? `/attempts/${attempt}` : '')
      : null;
  return {
    kind: 'pull-request',
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    owner,
    repo,
    number,
    runUrl,
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    step: env.GITHUB_ACTION ?? '',
  };
}

/** The pull request's number in the event payload, or why there is none. */
function pullRequestNumber(path: string | undefined): number | string {
  if (!path) return 'GITHUB_EVENT_PATH is not set';
  let payload: { pull_request?: { number?: unknown }; number?: unknown };
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return `the event payload ${path} cannot be read: ${(error as Error).message}`;
  }
  const number = payload?.pull_request?.number ?? payload?.number;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0
    ? number
    : `the event payload ${path} has no pull request number`;
}

/** Longest text quoted from GitHub in a warning. */
const MAX_QUOTED = 300;

/**
 * Why posting failed, in a sentence that says what to do: a refused token (403: the permission,
 * or a fork's read-only token), a rate limit, another answer, or no answer at all.
 */
export function failureOf(error: unknown): string {
  const { status, response, message } = error as {
    status?: unknown;
    response?: { headers?: Record<string, string | undefined> };
    message?: unknown;
  };
  const text = String(message ?? error).slice(0, MAX_QUOTED);
  // Ours (e.g. too many comments to search): the message says it all.
  if (typeof status !== 'number') return text;
  // Octokit gives a request that got no answer (refused, reset, timed out) the status 500 and no
  // response.
  if (response === undefined) return `no answer from GitHub (${text})`;
  const limited = response.headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(text);
  if (status === 429 || (status === 403 && limited))
    return `GitHub's rate limit (${status}: ${text}); the next run posts it`;
  if (status === 403)
    return (
      `GitHub refused the token (403: ${text}). Give the job \`permissions: pull-requests: write\`; ` +
      'a pull request from a fork gets a read-only token whatever the workflow asks, so there the ' +
      'result is in the job summary only'
    );
  return `GitHub answered ${status}: ${text}`;
}
