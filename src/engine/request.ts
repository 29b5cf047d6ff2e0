/**
 * What undici would refuse of a request, found without any connection: the request is handed to a
 * `Client` whose connector opens nothing, and undici checks the origin, path, method and headers
 * exactly as it would for a real one. The input checks (src/config/settings.ts) use it so that a value
 * undici refuses is an input error before the first connection, not an error on every request.
 */
import { Client, type Dispatcher } from 'undici';

export interface RequestShape {
  path: string;
  method: string;
  /** `[name, value, name, value, ...]` */
  headers: string[];
}

/** undici's reason for refusing the origin or the request (e.g. `invalid keep-alive header`), or null. */
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
  client.dispatch({ ...request }, handler);
  void client.destroy().catch(() => {});
  return problem;
}
