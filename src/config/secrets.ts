/**
 * Which header values the log masks. The runner replaces a registered secret with `***` in every
 * later line of the job, whatever step prints it, so registering a plain value (`application/json`)
 * would blank it out of the whole log. Masked: the values of credential headers, recognised by
 * name, and every value of `secret-headers`. No header value is written anywhere else either
 * (the summary and the report name headers only), so masking is about the log alone.
 */
import type { Settings } from '../model/settings.js';

/** Credential headers by their whole name, lower case. */
export const CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
]);

/** Credential headers by a part of their name, lower case. */
export const CREDENTIAL_PARTS: readonly string[] = [
  'token',
  'secret',
  'key',
  'auth',
  'session',
  'password',
];

/** True for a header whose value is a credential by its name, e.g. `X-Auth-Token`. */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_NAMES.has(lower) || CREDENTIAL_PARTS.some((part) => lower.includes(part));
}

/**
 * The values to register as secrets: of every route of both sides (a targets file has headers of
 * its own), those of credential headers and of the `secret-headers` input's names. Empty values
 * are left out (masking '' means nothing).
 */
export function secretValues(settings: Settings): string[] {
  const secretNames = new Set(settings.secretHeaders);
  const routes = [...settings.routes, ...(settings.baseline?.routes ?? [])];
  const values = new Set<string>();
  for (const route of routes) {
    for (const [name, value] of route.headers) {
      if (value !== '' && (secretNames.has(name.toLowerCase()) || isCredentialHeader(name))) {
        values.add(value);
      }
    }
  }
  if (settings.githubToken !== '') values.add(settings.githubToken);
  return [...values];
}
