/**
 * The pull request of this run, and its one comment from this step, through GitHub's REST API
 * (`@actions/github`): found by its marker among the pull request's comments and updated, or
 * created the first time. Plain values in and out; what to say about the outcome is the session's.
 */
import { readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';

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

/** Events whose payload has a pull request a comment belongs on. */
const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/** The pull request this run belongs to, from GITHUB_EVENT_NAME, its payload and the run's place. */
export function commentTarget(env: Env): CommentTarget {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (!PULL_REQUEST_EVENTS.includes(event)) {
    const what = event ? `a ${event} event` : 'no event (GITHUB_EVENT_NAME is not set)';
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

export interface PostedComment {
  action: 'created' | 'updated';
  /** The comment's page. */
  url: string;
}

/**
 * Updates the pull request's comment that starts with `marker`, or creates one: `body` must start
 * with the marker, so the next run finds it. Throws what the API answered (`statusOf` reads its
 * HTTP status); gives up after `timeoutMs` in all.
 */
export async function postComment(
  target: Extract<CommentTarget, { kind: 'pull-request' }>,
  token: string,
  marker: string,
  body: string,
  timeoutMs = 30_000,
): Promise<PostedComment> {
  if (!body.startsWith(marker)) throw new Error('the comment must start with its marker');
  const octokit = getOctokit(token, {
    baseUrl: target.apiUrl,
    request: { signal: AbortSignal.timeout(timeoutMs) },
  });
  const where = { owner: target.owner, repo: target.repo };
  let existing: number | null = null;
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...where,
    issue_number: target.number,
    per_page: 100,
  });
  for await (const page of pages) {
    const mine = page.data.find((comment) => comment.body?.startsWith(marker));
    if (mine) {
      existing = mine.id;
      break;
    }
  }
  if (existing !== null) {
    const { data } = await octokit.rest.issues.updateComment({
      ...where,
      comment_id: existing,
      body,
    });
    return { action: 'updated', url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({
    ...where,
    issue_number: target.number,
    body,
  });
  return { action: 'created', url: data.html_url };
}

/** The HTTP status the API answered with, when `error` is its answer. */
export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}
