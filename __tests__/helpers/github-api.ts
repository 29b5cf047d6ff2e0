/**
 * A stand-in for GitHub's REST API on an ephemeral loopback port, for the pull-request comment:
 * the three issue-comment endpoints, with the documented paths, request and response shapes,
 * status codes and `Link` pagination. It checks the token header, keeps the comments it was
 * given, and records every call.
 *
 * - `GET /repos/{owner}/{repo}/issues/{issue_number}/comments` (`per_page`, `page`): 200 and an
 *   array, oldest first, with `Link: <...>; rel="next"` while pages remain;
 * - `POST` to the same path, body `{"body"}`: 201 and the comment;
 * - `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`, body `{"body"}`: 200 and the
 *   comment, or 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Comment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

export interface ApiCall {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** The parsed JSON body, when there is one. */
  body: unknown;
}

export interface GitHubApiStandIn {
  /** The API's base URL, for GITHUB_API_URL. */
  url: string;
  calls: ApiCall[];
  /** Every comment, on every issue, oldest first. */
  comments: Comment[];
  /** Adds a comment someone else wrote; returns its id. */
  addComment(issue: number, body: string, user?: string): number;
  /**
   * Answers every later call (of `methods`, default all) with this status and a GitHub-style
   * error, and `headers` (null: serve again).
   */
  refuse(
    status: number | null,
    message?: string,
    methods?: string[],
    headers?: Record<string, string>,
  ): void;
  /** Deletes the comment a PATCH is for just before answering it, as if someone had meanwhile. */
  deleteBeforeUpdate: boolean;
  close(): Promise<void>;
}

/** What GitHub says of each user's relation to the repository (`author_association`). */
const associations: Record<string, string> = { maintainer: 'MEMBER', owner: 'OWNER' };

export interface StandInOptions {
  owner: string;
  repo: string;
  /** The token it accepts, as `Authorization: token <token>` (or `Bearer`). */
  token: string;
  /** The largest page it serves, whatever `per_page` asks (GitHub's is 100). */
  maxPerPage?: number;
}

export async function startGitHubApi(options: StandInOptions): Promise<GitHubApiStandIn> {
  const { owner, repo, token } = options;
  const maxPerPage = options.maxPerPage ?? 100;
  const calls: ApiCall[] = [];
  const comments: Comment[] = [];
  let nextId = 1000;
  let refusal: {
    status: number;
    message: string;
    methods: string[] | null;
    headers: Record<string, string>;
  } | null = null;
  const state = { deleteBeforeUpdate: false };
  let base = '';

  const view = (c: Comment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${owner}/${repo}/issues/comments/${c.id}`,
    html_url: `https://github.test/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/${owner}/${repo}/issues/${c.issue}`,
    body: c.body,
    user: { login: c.user, id: 1, type: c.user.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: '2026-12-06T00:00:00Z',
    updated_at: '2026-12-06T00:00:00Z',
    author_association: c.user.endsWith('[bot]') ? 'NONE' : (associations[c.user] ?? 'NONE'),
  });
  const addComment = (issue: number, body: string, user = 'someone') => {
    const id = nextId++;
    comments.push({ id, issue, body, user });
    return id;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      calls.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        body,
      });
      const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(value));
      };
      const error = (status: number, message: string, headers: Record<string, string> = {}) =>
        send(
          status,
          {
            message,
            documentation_url: 'https://docs.github.com/rest',
            status: String(status),
          },
          headers,
        );

      if (![`token ${token}`, `Bearer ${token}`].includes(req.headers.authorization ?? '')) {
        return error(401, 'Bad credentials');
      }
      if (refusal && (refusal.methods === null || refusal.methods.includes(req.method ?? ''))) {
        return error(refusal.status, refusal.message, refusal.headers);
      }
      const prefix = `/repos/${owner}/${repo}/issues/`;
      if (!url.pathname.startsWith(prefix)) return error(404, 'Not Found');
      const rest = url.pathname.slice(prefix.length);
      const list = /^(\d+)\/comments$/.exec(rest);
      const one = /^comments\/(\d+)$/.exec(rest);
      const bodyText = (body as { body?: unknown } | undefined)?.body;
      if (list && req.method === 'GET') {
        const issue = Number(list[1]);
        const perPage = Math.min(maxPerPage, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const own = comments.filter((c) => c.issue === issue);
        const pages = Math.max(1, Math.ceil(own.length / perPage));
        const link = (p: number) => `<${base}${url.pathname}?per_page=${perPage}&page=${p}>`;
        const links: Record<string, string> =
          page < pages ? { link: `${link(page + 1)}; rel="next", ${link(pages)}; rel="last"` } : {};
        return send(200, own.slice((page - 1) * perPage, page * perPage).map(view), links);
      }
      if (list && req.method === 'POST') {
        if (typeof bodyText !== 'string') return error(422, 'Invalid request: body is required');
        const id = addComment(Number(list[1]), bodyText, 'github-actions[bot]');
        return send(201, view(comments.find((c) => c.id === id) as Comment));
      }
      if (one && req.method === 'PATCH') {
        if (state.deleteBeforeUpdate) {
          const gone = comments.findIndex((c) => c.id === Number(one[1]));
          if (gone >= 0) comments.splice(gone, 1);
        }
        const comment = comments.find((c) => c.id === Number(one[1]));
        if (!comment) return error(404, 'Not Found');
        if (typeof bodyText !== 'string') return error(422, 'Invalid request: body is required');
        comment.body = bodyText;
        return send(200, view(comment));
      }
      return error(404, 'Not Found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    calls,
    comments,
    addComment,
    refuse(status, message = 'Resource not accessible by integration', methods, headers = {}) {
      refusal = status === null ? null : { status, message, methods: methods ?? null, headers };
    },
    get deleteBeforeUpdate() {
      return state.deleteBeforeUpdate;
    },
    set deleteBeforeUpdate(value: boolean) {
      state.deleteBeforeUpdate = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
