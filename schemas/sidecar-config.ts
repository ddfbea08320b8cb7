import {
  Type,
  type Static,
  type TBoolean,
  type TInteger,
  type TLiteral,
  type TNull,
  type TSchema,
  type TString,
  type TUnion
} from '@sinclair/typebox'
import { MAX_OPTION_MS } from './options.js'

// The sidecar's settings (SPEC §6, §8), each described once. Flags, environment variables,
// config-file keys, the TypeBox schema and `--help` are all derived from `SidecarSettings`.

export type SettingKind = 'number' | 'string' | 'url' | 'path' | 'enum' | 'boolean'
/** Where a setting may come from: `--flag`, `RELIABILITY_*` variable, `--config` JSON file. */
export type SettingSource = 'flag' | 'env' | 'file'

interface SettingSpec<S extends TSchema = TSchema> {
  readonly kind: SettingKind
  readonly schema: S
  /** Value when no source sets it; `null` means unset (a path `off`, no token, no metric). */
  readonly default: Static<S>
  /** When unset, computed from the resolved value of another setting instead of taken from `default`. */
  readonly defaultFrom?: DerivedDefault
  /** The constraint in words, used in error messages and `--help`. */
  readonly expects: string
  readonly help: string
  readonly sources: readonly SettingSource[]
  /** Never echoed in an error message. */
  readonly secret?: boolean
  /** A one-letter alias (`-h`). */
  readonly short?: string
  /** The value's name in `--help` when the kind's (`<text>`) says too little. */
  readonly placeholder?: string
}

/** A default that follows another (integer) setting, as the cache TTL follows the interval. */
export interface DerivedDefault {
  readonly setting: string
  /** From that setting's resolved value to this one's default. */
  readonly derive: (value: number) => number
  /** The rule in words, for `--help`. */
  readonly text: string
}

const ALL: readonly SettingSource[] = ['flag', 'env', 'file']
// setTimeout's ceiling: a longer delay overflows and fires at once (Node.js timers docs).
const MAX_MS = 2_147_483_647
/**
 * A poller's last answer is served (marked stale) for this many intervals: the plugin's
 * `maxStaleMs`. It bounds the interval, so that the derived option stays within MAX_OPTION_MS.
 */
export const STALE_AFTER_INTERVALS = 3
const DEFAULT_TIMEOUT_MS = 2000
const METRIC_NAME = '^[a-zA-Z_:][a-zA-Z0-9_:]*$'
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$'
const HTTP_PATH = '^/[^\\s?#]*$'
const PATH_SETTING = 'a path starting with "/", "auto" to discover it, or "off" to disable'
/** A path setting's value that asks for discovery among its candidates (SPEC §6). */
export const AUTO_PATH = 'auto'
/**
 * Where discovery looks, in order: the first candidate that answers is used (SPEC §6). Common
 * places first; a path that answers 404, a redirect or HTML is "not offered".
 */
export const DISCOVERY_CANDIDATES = Object.freeze({
  healthPath: Object.freeze(['/health', '/healthz', '/actuator/health', '/-/healthy', '/livez', '/status']),
  metricsPath: Object.freeze(['/metrics', '/actuator/prometheus']),
  websocketPath: Object.freeze(['/admin/websocket'])
})
/**
 * How long a path found not offered is left alone before discovery asks again, in ms: rarely, so
 * that the app's own request metrics are not filled with the sidecar's 404s (issue 9).
 */
export const DISCOVERY_REPROBE_MS = 300_000
const nullable = <S extends TSchema>(s: S): TUnion<[S, TNull]> => Type.Union([s, Type.Null()])

function integer (def: number, min: number, max: number, help: string): SettingSpec<TInteger> {
  return {
    kind: 'number',
    schema: Type.Integer({ minimum: min, maximum: max }),
    default: def,
    expects: `an integer from ${min} to ${max}`,
    help,
    sources: ALL
  }
}

function text (def: string, help: string, pattern = '^\\S+$', expects = 'a non-empty string without spaces'): SettingSpec<TString> {
  return { kind: 'string', schema: Type.String({ minLength: 1, pattern }), default: def, expects, help, sources: ALL }
}

function optionalLabel (help: string): SettingSpec<TUnion<[TString, TNull]>> {
  const schema = nullable(Type.String({ pattern: LABEL_NAME }))
  return { kind: 'string', schema, default: null, expects: 'a Prometheus label name', help, sources: ALL }
}

function optionalMetric (help: string): SettingSpec<TUnion<[TString, TNull]>> {
  const schema = nullable(Type.String({ pattern: METRIC_NAME }))
  return { kind: 'string', schema, default: null, expects: 'a Prometheus metric name', help, sources: ALL }
}

/**
 * A path on the target: `auto` (the default) discovers it among `candidates`, an explicit path is
 * always polled as given, `off` (null) never polls it.
 */
function path (candidates: readonly string[], what: string, extra = ''): SettingSpec<TUnion<[TLiteral<'auto'>, TString, TNull]>> {
  const schema = Type.Union([Type.Literal(AUTO_PATH), Type.String({ pattern: HTTP_PATH }), Type.Null()])
  const help = `${what} on the target. auto: the first of ${candidates.join(', ')} that answers${extra}; ` +
    'where none does (404/405/410, a redirect or HTML), not offered: unconfigured in the report, asked again every ' +
    `${DISCOVERY_REPROBE_MS / 60_000} min. A path set explicitly is always polled as given: its 404 or HTML is not hidden`
  return { kind: 'path', schema, default: AUTO_PATH, expects: PATH_SETTING, help, sources: ALL }
}

function enumOf<const V extends readonly [string, ...string[]]> (values: V, def: V[number], help: string):
SettingSpec<TUnion<Array<TLiteral<V[number]>>>> {
  const schema = Type.Union(values.map((v) => Type.Literal(v))) as TUnion<Array<TLiteral<V[number]>>>
  const expects = `one of ${values.map((v) => `"${v}"`).join(', ')}`
  return { kind: 'enum', schema, default: def, expects, help, sources: ALL }
}

function flag (help: string, sources: readonly SettingSource[], short?: string): SettingSpec<TBoolean> {
  const spec: SettingSpec<TBoolean> = {
    kind: 'boolean', schema: Type.Boolean(), default: false, expects: 'true or false', help, sources
  }
  return short === undefined ? spec : { ...spec, short }
}

function derivedFrom (setting: string, derive: (value: number) => number, text: string): DerivedDefault {
  return Object.freeze({ setting, derive, text })
}

/** `intervalMs` → `interval-ms`. */
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** Adds each setting's derived names: `name` (config key), `flag` and `env`. */
function withNames<T extends Record<string, SettingSpec>> (specs: T):
{ readonly [K in keyof T]: T[K] & { readonly name: K, readonly flag: string, readonly env: string } } {
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(specs)) {
    const flagName = `--${kebab(name)}`
    out[name] = Object.freeze({ ...spec, name, flag: flagName, env: `RELIABILITY_${kebab(name).replace(/-/g, '_').toUpperCase()}` })
  }
  return Object.freeze(out) as ReturnType<typeof withNames<T>>
}

export const SidecarSettings = withNames({
  target: {
    kind: 'url',
    schema: nullable(Type.String({ minLength: 1 })),
    default: null,
    expects: 'an http:// or https:// URL',
    help: 'Base URL of the app to watch; when absent the bundled demo app is started and watched',
    sources: ALL
  } satisfies SettingSpec<TUnion<[TString, TNull]>>,
  targetName: text('app', 'Name of the watched app in the report\'s services'),
  port: integer(9000, 0, 65535, 'Port the sidecar listens on (0: any free port)'),
  host: text('0.0.0.0', 'Address the sidecar listens on'),
  intervalMs: integer(5000, 100, Math.floor(MAX_OPTION_MS / STALE_AFTER_INTERVALS), 'Time between two polls of the target, in ms (a fixed rate: a slow poll does not shift the next)'),
  timeoutMs: {
    ...integer(DEFAULT_TIMEOUT_MS, 1, MAX_MS, 'Deadline of each request to the target, in ms; must be below --interval-ms'),
    // Prometheus's rule for an unset scrape_timeout (the smaller of its default and the interval),
    // at 80 % of the interval, so that a poll at its deadline still ends before the next one starts.
    defaultFrom: derivedFrom('intervalMs', (ms) => Math.min(DEFAULT_TIMEOUT_MS, Math.floor(ms * 4 / 5)),
      `${DEFAULT_TIMEOUT_MS}, or 80 % of --interval-ms when that is shorter`)
  },
  // The three below are passed to the plugin (cacheTtlMs, windowMs; maxStaleMs from the interval):
  // bounded by the plugin's limit, so that every setting --check-config accepts also starts.
  cacheTtlMs: {
    ...integer(5000, 0, MAX_OPTION_MS, 'How long a built report is served from cache, in ms'),
    defaultFrom: derivedFrom('intervalMs', (ms) => ms, 'the value of --interval-ms')
  },
  windowMs: integer(60000, 100, MAX_OPTION_MS, 'Window of every rate and percentile, in ms'),
  failureThreshold: integer(3, 1, 1000, 'Consecutive failed polls before the target is down'),
  successThreshold: integer(1, 1, 1000, 'Consecutive successful polls before the target is back up'),
  healthPath: path(DISCOVERY_CANDIDATES.healthPath, 'Health endpoint',
    ' (none, or off: the app\'s critical service then follows the metrics endpoint\'s reachability)'),
  metricsPath: path(DISCOVERY_CANDIDATES.metricsPath, 'Prometheus metrics endpoint'),
  websocketPath: path(DISCOVERY_CANDIDATES.websocketPath, 'Websocket admin JSON endpoint', ' with a JSON object'),
  maxBodyBytes: integer(1_048_576, 1024, 1_073_741_824, 'Largest body read from the target, in bytes'),
  maxSeries: integer(50_000, 1, 10_000_000, 'Most series read from one metrics scrape'),
  gracePeriodMs: integer(10_000, 0, MAX_MS, 'On SIGTERM/SIGINT, time given to in-flight requests before exit, in ms'),
  drainDelayMs: integer(0, 0, MAX_MS, 'On SIGTERM/SIGINT, keep serving with /readyz failing this long before closing, so load balancers stop sending first, in ms; must be below --grace-period-ms'),
  token: {
    kind: 'string',
    // What an `Authorization: Bearer <token>` header can carry and the route reads back intact:
    // visible ASCII, no space (a header's bytes arrive as latin1, so non-ASCII would never match).
    schema: nullable(Type.String({ minLength: 1, pattern: '^[\\x21-\\x7e]+$' })),
    default: null,
    expects: 'a non-empty string of visible ASCII characters, without spaces',
    help: 'Bearer token required by the report route (a secret: prefer the environment variable)',
    sources: ALL,
    secret: true
  } satisfies SettingSpec<TUnion<[TString, TNull]>>,
  failOn: enumOf(['down', 'degraded'], 'down', 'Report status at which /health answers 503'),
  logLevel: enumOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', 'Log level (pino)'),
  // Unset (null): detected from the exposition by convention (sidecar/metrics/conventions.ts); a set name wins.
  cpuMetric: optionalMetric('Counter of CPU seconds, for cpu_percent (unset: detected)'),
  startTimeMetric: optionalMetric('Gauge of the process start time, to detect restarts (unset: detected)'),
  memoryMetric: optionalMetric('Gauge of resident memory (unset: detected)'),
  heapUsedMetric: optionalMetric('Gauge of used heap (unset: detected)'),
  heapTotalMetric: optionalMetric('Gauge of total heap (unset: detected)'),
  eventLoopLagMetric: optionalMetric('Gauge of event-loop lag (p99) (unset: detected)'),
  requestDurationMetric: optionalMetric('Histogram of request durations (unset: detected)'),
  statusCodeLabel: optionalLabel('Label of the request histogram holding the status code (unset: detected)'),
  cacheHitsMetric: optionalMetric('Counter of cache hits (unset: detected)'),
  cacheMissesMetric: optionalMetric('Counter of cache misses (unset: detected)'),
  activeEdgesMetric: optionalMetric('Gauge of active edges (unset: not read)'),
  edgesCreatedMetric: optionalMetric('Counter of edges created (unset: not read)'),
  lastEdgeCreatedMetric: optionalMetric('Gauge of the last edge creation time, epoch seconds (unset: not read)'),
  ingestLatencyMetric: optionalMetric('Histogram of ingestion latency (unset: not read)'),
  lastIngestMetric: optionalMetric('Gauge of the last ingestion time, epoch seconds (unset: not read)'),
  ingestFailuresMetric: optionalMetric('Counter of ingestion failures (unset: not read)'),
  wsActiveConnectionsField: text('active_connections', 'Websocket admin JSON field: open connections'),
  wsLastBroadcastField: text('last_broadcast_ts', 'Websocket admin JSON field: last broadcast (ISO or epoch ms)'),
  wsConnectionRateField: text('connection_rate', 'Websocket admin JSON field: connections per second'),
  // Commands rather than settings: a config file cannot name another file or ask for help.
  config: {
    kind: 'string',
    schema: nullable(Type.String({ minLength: 1 })),
    default: null,
    expects: 'a file path',
    placeholder: '<file>',
    help: 'JSON config file with camelCase keys (flags and environment override it)',
    sources: ['flag', 'env']
  } satisfies SettingSpec<TUnion<[TString, TNull]>>,
  checkConfig: flag('Validate the configuration, print the outcome and exit', ['flag', 'env']),
  help: flag('Print this help and exit', ['flag'], 'h')
})

export type SidecarSettingName = keyof typeof SidecarSettings
/** One setting with its derived names: config-file key `name`, `flag` and `env`. */
export interface SidecarSetting extends SettingSpec {
  readonly name: SidecarSettingName
  readonly flag: string
  readonly env: string
}
/** Every setting, in `--help` order. */
export const SidecarSettingList: readonly SidecarSetting[] = Object.freeze(Object.values(SidecarSettings))

type SettingSchemas = { [K in SidecarSettingName]: (typeof SidecarSettings)[K]['schema'] }

/** The complete sidecar configuration: every key present, `null` for unset or `off`. */
export const SidecarConfig = Type.Object(
  Object.fromEntries(SidecarSettingList.map((s) => [s.name, s.schema])) as SettingSchemas,
  { additionalProperties: false }
)
export type SidecarConfig = Static<typeof SidecarConfig>
