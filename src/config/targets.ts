/**
 * The `targets` input: vegeta's HTTP targets format, read into plain entries with their line
 * numbers. Resolving the URLs against the service and building the requests is the reader's
 * (src/config/settings.ts); this module only knows the format:
 *
 *     # a comment
 *     GET /users
 *     X-Account-ID: 8675309
 *
 *     POST http://127.0.0.1:8080/orders
 *     Content-Type: application/json
 *     @body.json
 *
 * A target is a `METHOD URL` line, then `Name: value` header lines, then an optional `@file` line
 * holding its body; a blank line ends it.
 */

/** One target as written. */
export interface TargetEntry {
  /** 1-based line of its `METHOD URL` line. */
  line: number;
  method: string;
  /** The URL as written: absolute, or relative to the service's URL. */
  url: string;
  /** Its header lines, `[name, value, line]`, checked by the reader. */
  headers: [string, string, number][];
  /** The `@file` of its body as written ('' = none), and its line. */
  bodyFile: string;
  bodyLine: number;
}

/** A line that does not fit the format: the reader makes it an input error naming the line. */
export class TargetsFormatError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.name = 'TargetsFormatError';
    this.line = line;
  }
}

/** At most this many targets: a list longer than that is not a set of routes. */
export const MAX_TARGETS = 10_000;

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * True when `value` is targets text rather than the path of a file holding them: it has several
 * lines, starts with a comment, or reads `METHOD URL` with a URL that starts with `/` or a scheme
 * (`get /users`, `GET http://127.0.0.1:8080/`), which a file name such as `API routes.txt` does not.
 */
export function isTargetsText(value: string): boolean {
  const text = value.trim();
  return (
    /\n/.test(text) ||
    text.startsWith('#') ||
    /^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]+(\/|[A-Za-z][A-Za-z0-9+.-]*:)/.test(text)
  );
}

/** The entries of a targets text; throws `TargetsFormatError` at the first line that is wrong. */
export function parseTargets(text: string): TargetEntry[] {
  const entries: TargetEntry[] = [];
  let current: TargetEntry | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    const line = lines[i].trim();
    if (line.startsWith('#')) continue;
    if (line === '') {
      current = null;
      continue;
    }
    if (current === null) {
      const match = /^(\S+)\s+(\S+)$/.exec(line);
      if (!match || !METHOD.test(match[1])) {
        throw new TargetsFormatError(
          number,
          `is not 'METHOD URL' (e.g. 'GET /users' or 'POST http://127.0.0.1:8080/orders')`,
        );
      }
      if (entries.length === MAX_TARGETS) {
        throw new TargetsFormatError(number, `is past the limit of ${MAX_TARGETS} targets`);
      }
      current = {
        line: number,
        method: match[1],
        url: match[2],
        headers: [],
        bodyFile: '',
        bodyLine: 0,
      };
      entries.push(current);
      continue;
    }
    if (current.bodyFile !== '') {
      throw new TargetsFormatError(
        number,
        `follows the body line of the target on line ${current.line}; end a target with a blank line`,
      );
    }
    if (line.startsWith('@')) {
      const file = line.slice(1).trim();
      if (file === '') throw new TargetsFormatError(number, `is '@' without a file`);
      current.bodyFile = file;
      current.bodyLine = number;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new TargetsFormatError(
        number,
        `is neither a header ('Name: value') nor a body ('@file') of the target on line ${current.line}`,
      );
    }
    current.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim(), number]);
  }
  if (entries.length === 0) {
    throw new TargetsFormatError(
      lines.length,
      `holds no target: expected at least one 'METHOD URL' line`,
    );
  }
  return entries;
}
