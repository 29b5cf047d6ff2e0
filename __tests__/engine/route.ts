/** Routes for the engine tests, shaped as the input checks make them (src/model/settings.ts). */
import type { Route } from '../../src/model/settings.js';

/** `GET /` unless told otherwise; the name is `METHOD path`, as the input checks name a route. */
export function route(path = '/', extra: Partial<Omit<Route, 'path'>> = {}): Route {
  const method = extra.method ?? 'GET';
  return { name: `${method} ${path}`, method, path, headers: [], body: null, ...extra };
}
