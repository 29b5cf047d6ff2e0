/**
 * The step's one comment on its pull request, through GitHub's REST API (`@actions/github`): found
 * by its marker among the pull request's comments and updated, or created the first time. Only
 * the action adapter imports this (the CLI never comments, and `@actions/github` reads the
 * runner's event file as it loads); the session gets `postComment` from it.
 */
import { getOctokit } from '@actions/github';
import type { PostComment } from './pull-request.js';

/**
 * Pages listed at most. Past them the step's comment is not looked for further, and none is
 * created (a new one on every run would be worse): the warning says so.
 */
export const MAX_PAGES = 50;

/**
 * Who may have written the step's earlier comment: the token's bot (`github-actions[bot]` for
 * the job's own token) or someone with write access (a personal token). Anyone else can copy the
 * marker into a comment of their own; that one is never taken for ours.
 */
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/**
 * Updates the pull request's comment that starts with `marker`, or creates one: `body` must start
 * with the marker, so that the next run finds it. Throws what the API answered (`failureOf` in
 * src/system/pull-request.ts words it).
 */
export const postComment: PostComment = async (target, token, marker, body, options) => {
  if (!body.startsWith(marker)) throw new Error('the comment must start with its marker');
  // Per request, not in the client's defaults: those would replace the runner's proxy-aware fetch.
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000)];
  if (options.signal) signals.push(options.signal);
  const request = { signal: AbortSignal.any(signals) };
  const octokit = getOctokit(token, { baseUrl: target.apiUrl });
  const where = { owner: target.owner, repo: target.repo, request };

  // Page by page with the signal on each request: octokit's paginate drops a request's options.
  let existing: number | null = null;
  for (let page = 1; page <= MAX_PAGES && existing === null; page++) {
    const { data, headers } = await octokit.rest.issues.listComments({
      ...where,
      issue_number: target.number,
      per_page: 100,
      page,
    });
    existing =
      data.find(
        (comment) =>
          typeof comment.body === 'string' &&
          comment.body.startsWith(marker) &&
          (comment.user?.type === 'Bot' || TRUSTED_ASSOCIATIONS.has(comment.author_association)),
      )?.id ?? null;
    if (!/rel="next"/.test(headers.link ?? '')) break;
    if (page === MAX_PAGES && existing === null) {
      throw new Error(
        `the pull request has more than ${MAX_PAGES * 100} comments; the step's comment was not ` +
          'looked for beyond them, and no new one was posted',
      );
    }
  }
  if (existing !== null) {
    try {
      const { data } = await octokit.rest.issues.updateComment({
        ...where,
        comment_id: existing,
        body,
      });
      return { action: 'updated', url: data.html_url ?? '' };
    } catch (error) {
      // Deleted since it was listed: post it again.
      if ((error as { status?: unknown }).status !== 404) throw error;
    }
  }
  if (!options.create) return { action: 'none', url: '' };
  const { data } = await octokit.rest.issues.createComment({
    ...where,
    issue_number: target.number,
    body,
  });
  return { action: 'created', url: data.html_url ?? '' };
};
