/**
 * Every input and output, defined once. The reader (src/config/settings.ts) takes its defaults from
 * here, the CLI builds its parser and help from here, and `npm run docs` writes action.yml and the
 * README's tables from here (`npm run lint` fails when they differ: script/docs.ts).
 */

export interface OptionSpec {
  /** The action input, and the CLI's `--name` unless `cli.flag` says otherwise. */
  name: string;
  /** action.yml's `required: true` (the runner does not enforce it; the reader does). */
  required?: boolean;
  /** action.yml's default and the reader's fallback; '' = none, or worked out (see `defaultText`). */
  default: string;
  /** The default as the docs state it, when it is not simply `default`. */
  defaultText?: string;
  /** The CLI's default value, when it differs from the action's (the action's is required). */
  cliDefault?: string;
  /** The values accepted: the reader's ranges, and the words the docs and help say them in. */
  type: OptionType;
  /** What the input does (action.yml and docs/inputs.md). */
  description: string;
  /** One line for the README's table, when the CLI's help does not say it well for the action. */
  summary?: string;
  /**
   * The default is an expression the runner evaluates (`${{ github.token }}`): action.yml has it,
   * the reader has no fallback.
   */
  expression?: boolean;
  /** The CLI's flag; absent for an input of the action only. */
  cli?: {
    /** `positional`: the CLI's first argument. */
    flag?: string | 'positional';
    short?: string;
    /** Placeholder of the value in the help, e.g. `<s>`. */
    value: string;
    /** The option may be given several times; the values are joined with new lines. */
    multiple?: boolean;
    /** A flag without a value (`-k`): given = `true`. */
    boolean?: boolean;
    /** One line of help (the default is added). */
    help: string;
    /** The default as the help states it, when it differs from the docs'. */
    defaultText?: string;
  };
}

/** What an input accepts. Ranges are inclusive, but `above` (greater than `min`). */
export type OptionType =
  | { kind: 'integer'; min: number; max: number; auto?: boolean }
  | { kind: 'seconds'; min: number; max: number; above?: boolean }
  | { kind: 'number'; min: number; max: number; unit?: 'percent' }
  | { kind: 'choice'; values: string[] }
  | { kind: 'text'; accepted: string };

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'url',
    default: '',
    defaultText: 'none',
    type: {
      kind: 'text',
      accepted:
        'http:// or https:// URL with a host name, IPv4 or [IPv6] address, optional port, path and query',
    },
    description:
      'The URL to send requests to, e.g. https://127.0.0.1:8443/api/orders?x=1. Give either url or port (with host and path), not both. localhost reaches a service on 127.0.0.1 or ::1.',
    summary: 'The URL to send requests to (http or https)',
    cli: { value: '<url>', help: 'URL to send requests to (or give it as the first argument)' },
  },
  {
    name: 'port',
    default: '',
    defaultText: 'none',
    type: { kind: 'integer', min: 1, max: 65535 },
    description:
      'TCP port of the service to check, on host, at path (plain http). Give either port or url (or absolute URLs in targets).',
    summary: 'TCP port of the service on host (plain http), instead of url',
    cli: { flag: 'positional', value: '<port>', help: 'TCP port of the service' },
  },
  {
    name: 'min-requests',
    default: '0',
    type: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
    description:
      'Gate: the step fails when fewer responses with an expected status than this were received in the window. 0 = off. min-rps does the same without depending on duration.',
    summary: 'Gate: fail below this many counted requests; 0 = off',
    cli: { value: '<n>', help: 'gate: fail below this many counted requests' },
  },
  {
    name: 'min-rps',
    default: '',
    defaultText: 'none (off)',
    type: { kind: 'number', min: 0, max: 100_000_000 },
    description:
      'Gate: the step fails when the counted requests per second over the measured window are below this.',
    summary: 'Gate: fail below this many counted requests per second',
    cli: { value: '<n>', help: 'gate: fail below this rate of counted requests' },
  },
  {
    name: 'max-error-rate',
    default: '1',
    type: { kind: 'number', min: 0, max: 100, unit: 'percent' },
    description:
      'Gate: the step fails when more than this percentage of the requests sent in the window failed: errors, timeouts and unexpected statuses over all of them. In a comparison the head is gated; a baseline above it is a warning. 100 = off.',
    summary: 'Gate: fail when more than this % of requests failed',
    cli: { value: '<pct>', help: 'gate: fail above this % of failed requests' },
  },
  {
    name: 'max-p50-ms',
    default: '',
    defaultText: 'none (off)',
    type: { kind: 'number', min: 0.001, max: 3_600_000 },
    description:
      'Gate: the step fails when the median latency of counted responses is above this many milliseconds. Meaningful at a fixed rate (see rate).',
    summary: 'Gate: fail when median latency is above this (ms)',
    cli: { value: '<ms>', help: 'gate: fail above this median latency' },
  },
  {
    name: 'max-p95-ms',
    default: '',
    defaultText: 'none (off)',
    type: { kind: 'number', min: 0.001, max: 3_600_000 },
    description:
      'Gate: the step fails when the 95th percentile latency is above this many milliseconds. Meaningful at a fixed rate (see rate).',
    summary: 'Gate: fail when p95 latency is above this (ms)',
    cli: { value: '<ms>', help: 'gate: fail above this p95 latency' },
  },
  {
    name: 'max-p99-ms',
    default: '',
    defaultText: 'none (off)',
    type: { kind: 'number', min: 0.001, max: 3_600_000 },
    description:
      'Gate: the step fails when the 99th percentile latency is above this many milliseconds. Meaningful at a fixed rate (see rate).',
    summary: 'Gate: fail when p99 latency is above this (ms)',
    cli: { value: '<ms>', help: 'gate: fail above this p99 latency' },
  },
  {
    name: 'rate',
    default: '',
    defaultText: 'none: closed loop',
    type: { kind: 'number', min: 0.1, max: 1_000_000 },
    description:
      'Open model: send this many requests per second, at fixed intervals over the connections x pipelining slots, and time each from when it was due, so a stall of the service counts for every request it delayed. Sends still unsent at the end are dropped (the dropped output). Without it each slot sends its next request when the last one is answered (closed loop), which measures throughput. Not with a comparison.',
    summary: 'Requests per second at fixed intervals (open model); none = closed loop',
    cli: { short: 'R', value: '<n>', help: 'requests per second at fixed intervals' },
  },
  {
    name: 'duration',
    default: '',
    defaultText: '5; 10 in a comparison at 1 connection',
    type: { kind: 'seconds', min: 0, max: 3600, above: true },
    description:
      'How long requests are sent (per side in a comparison): seconds, fractions allowed, or with a unit (500ms, 10s, 2m). This is the requested time; the duration output is the measured window. A noisy comparison at rounds auto may measure up to twice as long.',
    cli: { short: 'd', value: '<s>', help: 'how long to send requests for, e.g. 10s or 2m' },
  },
  {
    name: 'host',
    default: '127.0.0.1',
    type: { kind: 'text', accepted: 'host name or IP address, no scheme or port' },
    description:
      'Host of the service, with port. localhost reaches a service on 127.0.0.1 or ::1, whatever /etc/hosts says. IPv6 addresses are accepted with or without brackets; an address URLs would read otherwise (999.1.1.1, 1.2.3) is refused.',
    cli: { value: '<host>', help: 'host name or IP address' },
  },
  {
    name: 'path',
    default: '/',
    type: { kind: 'text', accepted: "starts with '/', no spaces or '#'; may carry a query" },
    description:
      "Request path, with port; requests go to http://host:port followed by the path. Characters beyond ASCII are sent percent-encoded as UTF-8 ('/€' arrives as '/%E2%82%AC').",
    cli: { value: '<path>', help: 'request path' },
  },
  {
    name: 'connections',
    default: '1',
    type: { kind: 'integer', min: 1, max: 1000 },
    description:
      'Keep-alive connections, each with pipelining requests in flight. The default, 1 connection with 1 request in flight, sends one request at a time.',
    cli: { short: 'c', value: '<n>', help: 'keep-alive connections, 1-1000' },
  },
  {
    name: 'pipelining',
    default: '1',
    type: { kind: 'integer', min: 1, max: 100 },
    description:
      'Requests in flight on each connection. Above 1 they are pipelined (HTTP/1.1): sent back to back without waiting for the answers; with http2, concurrent streams.',
    cli: { short: 'p', value: '<n>', help: 'requests in flight per connection, 1-100' },
  },
  {
    name: 'method',
    default: 'GET',
    type: { kind: 'text', accepted: 'an HTTP method, e.g. GET, POST, PUT, DELETE, HEAD' },
    description:
      'HTTP method of the requests. HEAD counts responses without a body. A targets file sets its own per target.',
    cli: { short: 'm', value: '<method>', help: 'HTTP method' },
  },
  {
    name: 'body',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: 'text, sent as UTF-8' },
    description:
      'Request body, sent with Content-Length (the same bytes every time). Exclusive with body-file. Set content-type with it.',
    cli: { short: 'b', value: '<text>', help: 'request body' },
  },
  {
    name: 'body-file',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: 'a file path, file of at most 10 MiB' },
    description:
      'A file whose bytes are the request body, read once at the start. Exclusive with body.',
    cli: { value: '<file>', help: 'request body from a file' },
  },
  {
    name: 'content-type',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: 'a media type, e.g. application/json' },
    description: 'The Content-Type header of the requests, e.g. application/json.',
    cli: { value: '<type>', help: 'Content-Type header, e.g. application/json' },
  },
  {
    name: 'busy-poll',
    default: 'auto',
    type: { kind: 'choice', values: ['auto', 'true', 'false'] },
    description:
      'Keep the event loop spinning between responses instead of sleeping: more requests at 1 connection against a fast service, at the cost of a whole CPU core, which a service sharing the cores may need. auto = at 1 connection with 1 request in flight, a 1.3 s trial of both modes before the window keeps the faster (its requests are not counted); off otherwise and with rate. A comparison uses one mode on both sides.',
    summary: 'Spin between responses instead of sleeping; auto = a short trial at 1 connection',
    cli: { value: '<mode>', help: 'auto, true or false' },
  },
  {
    name: 'timeout',
    default: '5',
    type: { kind: 'seconds', min: 0, max: 600, above: true },
    description:
      'Per-request limit, from sending the request (connecting included) to the end of the body. A request past it counts as a timeout.',
    cli: { value: '<s>', help: 'per-request timeout' },
  },
  {
    name: 'wait-timeout',
    default: '30',
    type: { kind: 'seconds', min: 0, max: 3600 },
    description:
      'Wait this long for the service to answer (any status) before the load starts; the step fails with the URL and the last error if it never does. 0 = do not wait.',
    cli: { value: '<s>', help: "wait for the target to answer first; 0 = don't" },
  },
  {
    name: 'warmup',
    default: '',
    defaultText: '0; 1 with rate',
    type: { kind: 'seconds', min: 0, max: 3600 },
    description:
      "Load sent before the measured window and not counted (reported apart). With rate it defaults to 1 s: the generator's first moments (connecting, code not yet optimized) would otherwise count as the service's latency.",
    cli: { value: '<s>', help: 'uncounted load before the window' },
  },
  {
    name: 'expected-status',
    default: '200-299',
    type: { kind: 'text', accepted: 'codes and ranges separated by commas, e.g. 200,204,301-302' },
    description:
      'Statuses that count as requests. Others count in unexpected-status. Redirects are not followed.',
    cli: { value: '<list>', help: 'statuses that count, e.g. 200-299,304' },
  },
  {
    name: 'headers',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: "one 'Name: value' per line" },
    description:
      'Extra request headers (tokens, Host). The values of credential headers are registered as secrets, masked in the log: Authorization, Proxy-Authorization, Cookie, X-Api-Key, and any name containing token, secret, key, auth, session or password; give any other secret in secret-headers. No header value is ever written to the summary, the report or the outputs. Content-Length, and headers the HTTP client refuses (Expect, Transfer-Encoding, Upgrade, Keep-Alive), are input errors.',
    summary: "Extra request headers; credential headers' values are masked in the log",
    cli: {
      flag: 'header',
      short: 'H',
      value: '<line>',
      multiple: true,
      help: "extra header 'Name: value' (repeatable)",
    },
  },
  {
    name: 'secret-headers',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: "one 'Name: value' per line" },
    description:
      'Request headers sent as headers are, whose every value is registered as a secret and masked in the log, whatever the name (e.g. X-Tenant: ${{ secrets.TENANT }}).',
    cli: {
      flag: 'secret-header',
      value: '<line>',
      multiple: true,
      help: "header 'Name: value' whose value is masked (repeatable)",
    },
  },
  {
    name: 'targets',
    default: '',
    defaultText: 'none',
    type: {
      kind: 'text',
      accepted: "vegeta's HTTP targets format, as text or a file path",
    },
    description:
      "Several routes, sent in turn on each connection (a target listed twice is sent twice as often): the targets themselves, or a file holding them. Each target is a 'METHOD URL' line, then 'Name: value' header lines, then an optional '@body-file' line (relative to the targets file's folder, or to the working directory for inline text and stdin); a blank line separates targets and # starts a comment. A relative URL (GET /users) is taken against url or host, port and path; every target goes to that one service (without url and port, the service of the first absolute URL). At most 10,000 targets and 1,000 distinct requests. headers, body and content-type apply to every target that does not set its own.",
    summary: "Several routes in vegeta's targets format (text or a file), sent in turn",
    cli: { value: '<file>', help: "targets file ('-' reads stdin)" },
  },
  {
    name: 'insecure',
    default: 'false',
    type: { kind: 'choice', values: ['true', 'false'] },
    description:
      'Accept any certificate of an https service: self-signed, expired, or for another name, as a local TLS service usually has.',
    cli: { short: 'k', value: '', boolean: true, help: 'accept any certificate (https)' },
  },
  {
    name: 'ca-file',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: 'a PEM file of CA certificates' },
    description:
      "CA certificates (PEM) to trust for an https service, besides Node's own; for a local CA such as mkcert's.",
    cli: { value: '<file>', help: 'trust the CAs in this PEM file (https)' },
  },
  {
    name: 'http2',
    default: 'false',
    type: { kind: 'choice', values: ['true', 'false'] },
    description:
      'Speak HTTP/2 with an https service (negotiated by ALPN; the service may still choose HTTP/1.1, and the report says which was used). connections then counts HTTP/2 connections and pipelining the concurrent streams on each. HTTP/2 without TLS (h2c) is not supported.',
    cli: { value: '', boolean: true, help: 'negotiate HTTP/2 (https only)' },
  },
  {
    name: 'baseline-url',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: 'as url' },
    description:
      'URL of a second service to compare with; the counterpart of url, exclusive with baseline-port. The same method, body, headers and targets are sent to it.',
    cli: { value: '<url>', help: 'compare with the service at this URL' },
  },
  {
    name: 'baseline-port',
    default: '',
    defaultText: 'none',
    type: { kind: 'integer', min: 1, max: 65535 },
    description:
      "Port of a second service to compare with (typically the base branch, started by an earlier step), on baseline-host at baseline-path, with the head's scheme. Head and baseline are then measured alternately in slices, and the step fails only when the head is confidently slower than max-regression allows.",
    cli: { value: '<port>', help: 'compare with this service, alternating slices' },
  },
  {
    name: 'baseline-host',
    default: '',
    defaultText: 'the same as host',
    type: { kind: 'text', accepted: 'as host' },
    description: 'Host of the baseline service.',
    cli: { value: '<host>', help: 'host of the baseline service' },
  },
  {
    name: 'baseline-path',
    default: '',
    defaultText: 'the same as path',
    type: { kind: 'text', accepted: 'as path' },
    description: 'Path on the baseline service.',
    cli: { value: '<path>', help: 'path on the baseline service' },
  },
  {
    name: 'baseline-file',
    default: '',
    defaultText: 'none',
    type: { kind: 'text', accepted: 'a report written by report-file' },
    description:
      'A JSON report saved by an earlier run to compare with, by the same statistics as baseline-port. Runs on different runners or at different times carry extra noise that the interval does not cover. Exclusive with baseline-port and baseline-url.',
    summary: "Compare with a report saved by an earlier run's report-file",
    cli: { value: '<file>', help: 'compare with a report saved by --report-file' },
  },
  {
    name: 'rounds',
    default: 'auto',
    type: { kind: 'integer', min: 2, max: 1000, auto: true },
    description:
      'Slices per side in a comparison; each side gets duration seconds in all. auto = duration / 0.5 s, at most 1000; then a same-job comparison too noisy to catch a slowdown of max-regression + 5 points measures more slices, half as many again at a time, up to twice as many. Without a comparison: the number of samples the report holds.',
    cli: { value: '<n>', help: 'slices per side in a comparison' },
  },
  {
    name: 'max-regression',
    default: '5',
    type: { kind: 'number', min: 0, max: 100, unit: 'percent' },
    description: 'Allowed slowdown of head vs baseline.',
    cli: { value: '<pct>', help: 'allowed slowdown vs the baseline' },
  },
  {
    name: 'confidence',
    default: '0.95',
    type: { kind: 'number', min: 0.5, max: 0.9999 },
    description: 'Two-sided confidence of the interval of the change.',
    cli: { value: '<c>', help: 'confidence of the interval of the change' },
  },
  {
    name: 'report-file',
    default: '',
    defaultText: '$RUNNER_TEMP/http-load-check.json',
    type: { kind: 'text', accepted: 'a file path' },
    description:
      'Where to write the JSON report (docs/report-schema.md). Set one per step when a job runs several checks.',
    summary: 'Where to write the JSON report',
    cli: { value: '<file>', help: 'write the JSON report there', defaultText: 'not written' },
  },
  {
    name: 'benchmark-file',
    default: '',
    defaultText: '$RUNNER_TEMP/http-load-check-benchmark.json',
    type: { kind: 'text', accepted: 'a file path' },
    description:
      "Where to write the result in github-action-benchmark's customBiggerIsBetter format (req/s, the count in extra), for history charts.",
    summary: 'Where to write github-action-benchmark entries (req/s)',
    cli: {
      value: '<file>',
      help: 'write github-action-benchmark entries there',
      defaultText: 'not written',
    },
  },
  {
    name: 'benchmark-latency-file',
    default: '',
    defaultText: '$RUNNER_TEMP/http-load-check-latency.json',
    type: { kind: 'text', accepted: 'a file path' },
    description:
      "Where to write latency p50, p95 and p99 in github-action-benchmark's customSmallerIsBetter format, for history charts.",
    summary: 'Where to write github-action-benchmark latency entries (ms)',
    cli: {
      value: '<file>',
      help: 'write github-action-benchmark latency entries there',
      defaultText: 'not written',
    },
  },
  {
    name: 'comment',
    default: 'off',
    type: { kind: 'choice', values: ['off', 'always', 'on-failure'] },
    description:
      "Post the result on the pull request as one comment, updated on every later run of the same workflow, job and step: always, created only when the check fails (on-failure; once there, later runs update it, a pass included), or never (off). Needs pull-requests: write in the job's permissions; outside pull_request and pull_request_target events it is skipped with a notice, and a refused comment (403, e.g. from a fork) is a warning.",
    summary: 'Post the result as a sticky PR comment: off, always or on-failure',
  },
  {
    name: 'github-token',
    default: '${{ github.token }}',
    expression: true,
    type: { kind: 'text', accepted: 'a GitHub token, without spaces or line breaks' },
    description:
      'The token the comment is posted with; it needs pull-requests: write. Masked in the log, never written.',
    summary: 'Token for the comment (needs pull-requests: write)',
  },
];

/** The inputs the CLI takes, each with its flag. */
export const CLI_OPTIONS = OPTIONS.filter(
  (spec): spec is OptionSpec & { cli: NonNullable<OptionSpec['cli']> } => spec.cli !== undefined,
);

export interface OutputSpec {
  name: string;
  description: string;
  /** The README table's shorter text (default: the description); docs/inputs.md has it in full. */
  summary?: string;
  /** Set only by a comparison (baseline-port or baseline-file). */
  comparisonOnly?: boolean;
}

export const OUTPUTS: readonly OutputSpec[] = [
  {
    name: 'requests',
    description:
      'Responses with an expected status to requests sent in the window (late answers too). The gate and the standard line use it.',
    summary: "Counted requests: the standard line's count.",
  },
  { name: 'unexpected-status', description: 'Responses with any other status.' },
  {
    name: 'rps',
    description: 'Requests per second over the measured window, one decimal.',
    summary: 'Counted requests per second.',
  },
  {
    name: 'errors',
    description:
      'Requests failed by a connection, TLS or protocol error (refused, reset, closed); not timeouts.',
    summary: 'Connection, TLS or protocol errors; not timeouts.',
  },
  { name: 'timeouts', description: 'Requests that hit the per-request timeout.' },
  {
    name: 'duration',
    description:
      'The measured window in seconds, to the last counted response (at least the requested duration).',
    summary: 'The measured window, s.',
  },
  {
    name: 'latency-p50-ms',
    description:
      "Median latency of counted responses in ms, from sending (with rate, from each send's due time) to the end of the body, 3 decimals.",
    summary: 'Median latency, ms.',
  },
  {
    name: 'latency-p90-ms',
    description: '90th percentile latency in milliseconds.',
    summary: 'p90, ms.',
  },
  {
    name: 'latency-p95-ms',
    description: '95th percentile latency in milliseconds.',
    summary: 'p95, ms.',
  },
  {
    name: 'latency-p99-ms',
    description: '99th percentile latency in milliseconds.',
    summary: 'p99, ms.',
  },
  {
    name: 'latency-max-ms',
    description: 'Highest latency in milliseconds.',
    summary: 'Highest, ms.',
  },
  {
    name: 'error-rate',
    description:
      'Errors, timeouts and unexpected statuses in percent of the requests sent in the window, 2 decimals.',
    summary: 'Errors, timeouts and unexpected statuses, % of requests sent.',
  },
  {
    name: 'dropped',
    description:
      "With rate: sends due in the window but never sent, every slot being busy; '0' in the closed loop.",
    summary: 'With rate: sends due but never sent.',
  },
  {
    name: 'outcome',
    description:
      'passed (every gate held), failed (a gate failed: min-requests, min-rps, max-error-rate, a latency gate, or a regression against the baseline), not-ready (the service never answered within wait-timeout) or cancelled (the job was cancelled).',
    summary: 'passed, failed (a gate failed), not-ready or cancelled.',
  },
  {
    name: 'passed',
    description:
      "'true' when every gate held (in a comparison, max-regression too), else 'false' (failed, not-ready or cancelled).",
    summary: "'true' when every gate held, else 'false'.",
  },
  {
    name: 'failed-gates',
    description:
      "The gates that failed, comma-separated input names, e.g. 'max-error-rate,max-p95-ms'; '' when none did.",
    summary: 'The failed gates, comma-separated.',
  },
  {
    name: 'report',
    description: 'Path of the JSON report written (see report-file).',
    summary: 'Path of the JSON report.',
  },
  {
    name: 'benchmark-file',
    description: 'Path of the github-action-benchmark file written (see benchmark-file).',
    summary: 'Path of the req/s benchmark file.',
  },
  {
    name: 'benchmark-latency-file',
    description:
      'Path of the github-action-benchmark latency file written (see benchmark-latency-file).',
    summary: 'Path of the latency benchmark file.',
  },
  {
    name: 'baseline-requests',
    description: "In a comparison: the baseline's requests over all its slices.",
    summary: "Comparison: the baseline's requests.",
    comparisonOnly: true,
  },
  {
    name: 'change-percent',
    description: 'In a comparison: the estimated change of head vs baseline req/s, in percent.',
    summary: 'Comparison: change of head vs baseline req/s, %.',
    comparisonOnly: true,
  },
  {
    name: 'change-low',
    description: 'In a comparison: the lower end of the interval, in percent.',
    summary: "Comparison: the interval's lower end, %.",
    comparisonOnly: true,
  },
  {
    name: 'change-high',
    description: 'In a comparison: the upper end of the interval, in percent.',
    summary: "Comparison: the interval's upper end, %.",
    comparisonOnly: true,
  },
  {
    name: 'verdict',
    description:
      "In a comparison: faster, slower (within max-regression), unchanged or regression; '' when no interval could be computed.",
    summary: "Comparison: faster, slower, unchanged or regression; '' without an interval.",
    comparisonOnly: true,
  },
  {
    name: 'detectable-regression',
    description:
      "In a comparison: the smallest slowdown, in percent, that this run would have called a regression about 95% of the time, from the spread of its own slices (a noisier run states a larger one; for a baseline-file, it includes the calibrated spread between two runs on one machine, not between runners); '' when no interval could be computed.",
    summary: 'Comparison: the smallest slowdown it could catch, %.',
    comparisonOnly: true,
  },
];

/** What `spec` accepts, in words: `integer 1-1000`, `seconds, > 0 and ≤ 600`, `auto, true or false`. */
export function acceptedText(spec: OptionSpec): string {
  const type = spec.type;
  switch (type.kind) {
    case 'integer':
      if (type.auto) return `auto or an integer ${type.min}-${type.max}`;
      return type.max >= Number.MAX_SAFE_INTEGER
        ? `integer, ${type.min} or more`
        : `integer ${type.min}-${type.max}`;
    case 'seconds':
      return type.above
        ? `seconds (or 500ms, 5s, 2m), > ${type.min} and ≤ ${type.max} s`
        : `seconds (or 500ms, 5s, 2m), ${type.min} to ${type.max} s`;
    case 'number':
      return `${type.unit === 'percent' ? 'percent, ' : ''}${type.min}-${type.max}`;
    case 'choice':
      return `${type.values.slice(0, -1).join(', ')} or ${type.values.at(-1)}`;
    case 'text':
      return type.accepted;
  }
}

/** The range of a numeric input, for the reader; throws on an input without one (a bug). */
export function rangeOf(name: string): { min: number; max: number } {
  const type = option(name).type;
  if (type.kind === 'choice' || type.kind === 'text') throw new Error(`input ${name} has no range`);
  return { min: type.min, max: type.max };
}

/** The spec of input `name`; throws on a name that is not an input (a bug). */
export function option(name: string): OptionSpec {
  const spec = OPTIONS.find((o) => o.name === name);
  if (!spec) throw new Error(`no input named ${name}`);
  return spec;
}

/** The CLI flag of an option (`--header` for `headers`), without dashes; null for the positional. */
export function cliFlag(spec: (typeof CLI_OPTIONS)[number]): string | null {
  if (spec.cli.flag === 'positional') return null;
  return spec.cli.flag ?? spec.name;
}
