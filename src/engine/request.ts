/**
 * A request as the load sends it (`dispatchOptions`), and what undici would refuse of one, found
 * without any connection (`requestProblem`): the request is handed to a `Client` whose connector
 * opens nothing, and undici checks the origin, path, method, headers and body exactly as it would
 * for a real one. The input checks (src/config/settings.ts) use it so that a value undici refuses
 * is an input error before the first connection, not an error on every request.
 */
import { Client, type Dispatcher } from 'undici';
import type { Route } from '../model/settings.js';

export interface RequestShape {
  path: string;
  method: string;
  /** `[name, value, name, value, ...]` */
  headers: string[];
  /** The body, sent with Content-Length; none when absent or null. */
  body?: Uint8Array | null;
}

/** Sent unless the request has a User-Agent of its own. */
const USER_AGENT = 'http-load-check';

/**
 * The undici options of one request, built once and sent again and again: no part of it is copied
 * per request (undici sends a `Uint8Array` body as it is, with its Content-Length).
 */
export function requestOptions(shape: RequestShape, blocking: boolean): Dispatcher.DispatchOptions {
  const { headers } = shape;
  let ownAgent = false;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].toLowerCase() === 'user-agent') ownAgent = true;
  }
  return {
    method: shape.method,
    path: shape.path,
    headers: ownAgent ? [...headers] : ['user-agent', USER_AGENT, ...headers],
    body: shape.body ?? null,
    // undici holds a request it thinks non-idempotent (POST...) until the connection is idle, so it
    // would never be pipelined. Ours are sent again and again by design.
    idempotent: true,
    // GET is `blocking` by default, which stops undici from pipelining it; at 1 in flight it is
    // what keeps undici from writing a second request before the first has its answer. Never on a
    // HEAD: undici lifts the block when a response's headers end, but not a HEAD's, so the
    // connection would never send again.
    blocking: blocking && shape.method !== 'HEAD',
    // undici closes the connection after a HEAD (or a GET with a body) unless told not to; a
    // response with a body it should not have shows as a protocol error (load.ts).
    reset: false,
  };
}

/** The options of a route's request: its headers flattened, then as `requestOptions`. */
export function routeRequest(route: Route, blocking: boolean): Dispatcher.DispatchOptions {
  return requestOptions(
    { method: route.method, path: route.path, headers: route.headers.flat(), body: route.body },
    blocking,
  );
}

/**
 * undici's reason for refusing the origin (`http://` or `https://`) or the request (e.g. `invalid
 * keep-alive header`), or null. The request is built as the load builds it (`requestOptions`).
 */
export function requestProblem(origin: string, request: RequestShape): string | null {
  // The only thing the connector does: fail, so nothing is ever opened.
  const noConnection = new Error('no connection: a dry run');
  let client: Client;
  try {
    client = new Client(origin, { connect: (_options, callback) => callback(noConnection, null) });
  } catch (error) {
    return (error as Error).message;
  }
  let problem: string | null = null;
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart: () => {},
    onResponseStart: () => {},
    onResponseData: () => {},
    onResponseEnd: () => {},
    // A refusal arrives here before undici queues the request. The connector's own failure means
    // the request was accepted and undici went on to connect.
    onResponseError: (_controller, error) => {
      if (error !== noConnection) problem ??= error.message;
    },
  };
  client.on('connectionError', () => {});
  client.dispatch(requestOptions(request, true), handler);
  void client.destroy().catch(() => {});
  return problem;
}
