/**
 * How the engine connects: one `Connector` per pool of connections (and one per readiness wait),
 * whose undici `connect` function all the pool's connections share. Sharing it is what lets a
 * reconnect resume the TLS session of an earlier connection (undici's connector keeps a session
 * cache of its own), remember which loopback address answered `localhost`, and negotiate the same
 * protocol on every connection.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import net, { type Socket } from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { buildConnector, errors, type Client } from 'undici';
import type { Protocol } from '../model/result.js';
import type { Tls } from '../model/settings.js';

export interface ConnectOptions {
  /** `http://host:port` or `https://host:port` (an IPv6 address in brackets). */
  origin: string;
  /** Certificate checks of an https origin. Default: Node's CAs, no `insecure`. */
  tls?: Tls;
  /** Offer HTTP/2 by ALPN (https only); the server may still choose HTTP/1.1. */
  http2?: boolean;
  /** Limit of one connection attempt, TCP and TLS handshake included, in ms. */
  timeoutMs: number;
}

/** undici's `connect` option. It returns the socket so that undici can cancel the attempt. */
export type ConnectFunction = (
  options: buildConnector.Options,
  callback: buildConnector.Callback,
) => unknown;

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

const V4_FIRST: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];
const V6_FIRST: LookupAddress[] = [V4_FIRST[1], V4_FIRST[0]];

/** `localhost`, any case, with or without its trailing dot (RFC 6761). */
export function isLocalhost(hostname: string): boolean {
  return /^localhost\.?$/i.test(hostname);
}

export class Connector {
  /** The undici `connect` of every connection made through this connector. */
  readonly connect: ConnectFunction;
  readonly http2: boolean;
  /** The protocol the last connection negotiated; '' until one connects. */
  protocol: Protocol = '';
  /**
   * The latest TLS session the server gave. undici's session cache holds its sessions by weak
   * reference only; holding the latest here keeps it from being collected between reconnects.
   */
  lastSession: Buffer | null = null;
  /** For `localhost`: the family that connected last, tried first next time. */
  private preferredFamily = 4;
  private readonly localhost: boolean;

  constructor(options: ConnectOptions) {
    const url = new URL(options.origin);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:')
      throw new Error(`not an http(s) origin: ${options.origin}`);
    this.http2 = options.http2 === true;
    // The input checks refuse it; h2c (HTTP/2 without TLS) is not offered.
    if (this.http2 && !secure) throw new Error('http2 needs an https origin');
    const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs));
    this.localhost = isLocalhost(url.hostname);
    if (!secure) {
      this.connect = this.connectPlain(timeoutMs);
      return;
    }
    const base = buildConnector({
      timeout: timeoutMs,
      // undici's connector offers h2 unless told otherwise.
      allowH2: this.http2,
      preferH2: this.http2,
      // Happy eyeballs over every address the name resolves to.
      autoSelectFamily: true,
      // The resolver may know only one family for localhost (/etc/hosts often lists 127.0.0.1
      // alone) while the service listens on the other: try both, as curl does (RFC 6761).
      ...(this.localhost ? { lookup: this.lookupLocalhost } : {}),
      ...tlsOptions(options.tls),
    });
    this.connect = (connectOptions, callback) => {
      const socket = base(connectOptions, (...args) => {
        if (args[0] === null) this.connected(args[1]);
        callback(...args);
      }) as unknown as Socket | undefined;
      socket?.on('session', this.keepSession);
      return socket;
    };
  }

  /**
   * The connect of a plain `http:` origin: `net.connect` and nothing else. Against a server that
   * closes every connection (gunicorn's sync workers) each request is a new connection, so what
   * undici's own connector adds to each (keep-alive probes set up, a WeakRef and timer for the
   * connect timeout, a closure per attempt) is paid per request; docs/engine.md has what dropping
   * it bought. The connect timeout is the socket's own inactivity timer, cleared once connected
   * (Node restarts it after a name lookup, so for a name that is not an address the lookup comes on
   * top). TCP keep-alive probes are not set up: a run's connections are never idle for long.
   */
  private connectPlain(timeoutMs: number): ConnectFunction {
    return ({ hostname, port: givenPort }, callback) => {
      const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
      const port = Number(givenPort) || 80;
      const socket = net.connect({
        host,
        port,
        noDelay: true,
        ...(this.localhost ? { lookup: this.lookupLocalhost } : {}),
        // Happy eyeballs over every address a name resolves to.
        autoSelectFamily: true,
      });
      const onTimeout = (): void => {
        socket.destroy(connectTimeoutError(socket, host, port, timeoutMs));
      };
      let pending: buildConnector.Callback | null = callback;
      socket.setTimeout(timeoutMs, onTimeout);
      socket.once('connect', () => {
        // Also takes the `timeout` listener off.
        socket.setTimeout(0, onTimeout);
        // Only `localhost` needs the family that answered (one system call to learn it).
        if (this.localhost) this.connected(socket);
        else this.protocol = 'http/1.1';
        const done = pending;
        pending = null;
        done?.(null, socket);
      });
      socket.once('error', (error) => {
        const done = pending;
        pending = null;
        // Happy eyeballs gives up each address after 250 ms: every address timing out is a
        // connect timeout too, as undici's connector reports it.
        const timedOut =
          error instanceof AggregateError &&
          error.errors.some((e) => (e as NodeJS.ErrnoException | null)?.code === 'ETIMEDOUT');
        done?.(timedOut ? connectTimeoutError(socket, host, port, timeoutMs, error) : error, null);
      });
      return socket;
    };
  }

  /** What an undici `Client` that connects through this connector needs besides `connect`. */
  clientOptions(streams: number): Pick<Client.Options, 'allowH2' | 'h2Options'> {
    // At least `streams` streams on one h2 connection, as pipelining puts that many in flight.
    if (this.http2)
      return { allowH2: true, h2Options: { maxConcurrentStreams: Math.max(100, streams) } };
    return { allowH2: false };
  }

  private connected(socket: Socket | TLSSocket): void {
    this.protocol = (socket as TLSSocket).alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
    if (socket.remoteFamily === 'IPv6') this.preferredFamily = 6;
    else if (socket.remoteFamily === 'IPv4') this.preferredFamily = 4;
  }

  private keepSession = (session: Buffer): void => {
    this.lastSession = session;
  };

  private lookupLocalhost = (
    _hostname: string,
    options: LookupOptions,
    callback: LookupCallback,
  ): void => {
    const order = this.preferredFamily === 6 ? V6_FIRST : V4_FIRST;
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const addresses =
      family === 4 || family === 6 ? order.filter((a) => a.family === family) : order;
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

/** undici's error for a connect that took too long, worded as its connector words it. */
function connectTimeoutError(
  socket: Socket,
  host: string,
  port: number,
  timeoutMs: number,
  cause?: Error,
): Error {
  const tried = socket.autoSelectFamilyAttemptedAddresses;
  const where =
    Array.isArray(tried) && tried.length > 1
      ? `attempted addresses: ${tried.join(', ')}`
      : `attempted address: ${host}:${port}`;
  const error = new errors.ConnectTimeoutError(
    `Connect Timeout Error (${where}, timeout: ${timeoutMs}ms)`,
  );
  if (cause) error.cause = cause;
  return error;
}

/** What the connector passes to `tls.connect`: the checks, and one secure context for them all. */
function tlsOptions(settings: Tls | undefined): {
  rejectUnauthorized: boolean;
  secureContext: SecureContext;
} {
  // One context per connector: building one per connection (as `tls.connect` does when given `ca`)
  // would parse every CA again on every reconnect.
  const ca = settings?.ca ? [...tls.getCACertificates('default'), settings.ca] : undefined;
  return {
    rejectUnauthorized: settings?.insecure !== true,
    secureContext: tls.createSecureContext(ca ? { ca } : {}),
  };
}

/** OpenSSL's and Node's codes for a certificate the client does not accept. */
export const CERTIFICATE_ERROR_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True for an error kind (`errorsByKind`) that says the server's certificate was not accepted. */
export function isCertificateErrorCode(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_ERROR_CODES.has(code);
}

/** The code of an error, or of the inner errors of an `AggregateError` when it has none. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = errorCode(inner);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return undefined;
}

/**
 * An error in words: its message (`connect ECONNREFUSED 127.0.0.1:8080`); each address tried for an
 * `AggregateError` (happy eyeballs); `<message> (<CODE>)` for a certificate.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  const code = errorCode(error);
  if (isCertificateErrorCode(code)) {
    // Node adds advice about its own command line, which an action's user cannot set.
    const message = error.message.replace(/; if the root CA is installed locally.*$/s, '');
    return `${message} (${code})`;
  }
  return error.message || code || error.name;
}
