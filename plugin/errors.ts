// Every error the package raises, in one table with stable codes (tests assert codes, not messages).
// Messages are built from field names, source names and reasons only: never from a value that
// could hold a secret (a token, a URL with credentials, a header).
import createError from '@fastify/error'

export const ReliabilityErrors = {
  // Configuration: raised at registration or sidecar start, naming the field.
  INVALID_OPTION: createError<'RELIABILITY_ERR_INVALID_OPTION', [string, string]>(
    'RELIABILITY_ERR_INVALID_OPTION', 'invalid option "%s": %s'),
  INVALID_RULE: createError<'RELIABILITY_ERR_INVALID_RULE', [string, string]>(
    'RELIABILITY_ERR_INVALID_RULE', 'invalid rule at "%s": %s'),
  UNKNOWN_SOURCE: createError<'RELIABILITY_ERR_UNKNOWN_SOURCE', [string, string]>(
    'RELIABILITY_ERR_UNKNOWN_SOURCE', 'unknown source "%s": expected one of %s'),
  INVALID_CONFIG: createError<'RELIABILITY_ERR_INVALID_CONFIG', [string, string]>(
    'RELIABILITY_ERR_INVALID_CONFIG', 'invalid setting "%s": %s'),

  // Requests to the plugin's routes.
  INVALID_QUERY: createError<'RELIABILITY_ERR_INVALID_QUERY', 400, [string, string]>(
    'RELIABILITY_ERR_INVALID_QUERY', 'invalid query parameter "%s": %s', 400),
  UNAUTHORIZED: createError<'RELIABILITY_ERR_UNAUTHORIZED', 401, []>(
    'RELIABILITY_ERR_UNAUTHORIZED', 'a valid bearer token is required', 401),
  FORBIDDEN: createError<'RELIABILITY_ERR_FORBIDDEN', 403, []>(
    'RELIABILITY_ERR_FORBIDDEN', 'the diagnostics route is internal', 403),

  // Sources: what `sources[name].error` says in words.
  SOURCE_TIMEOUT: createError<'RELIABILITY_ERR_SOURCE_TIMEOUT', [string, number]>(
    'RELIABILITY_ERR_SOURCE_TIMEOUT', 'source "%s" did not answer within %d ms'),
  SOURCE_FAILED: createError<'RELIABILITY_ERR_SOURCE_FAILED', [string, string]>(
    'RELIABILITY_ERR_SOURCE_FAILED', 'source "%s" failed: %s'),
  SOURCE_INVALID: createError<'RELIABILITY_ERR_SOURCE_INVALID', [string, string]>(
    'RELIABILITY_ERR_SOURCE_INVALID', 'source "%s" returned a value of the wrong shape: %s'),

  // Sidecar upstream faults (transport and caps; a 5xx health answer is the app saying "down").
  UPSTREAM_TIMEOUT: createError<'RELIABILITY_ERR_UPSTREAM_TIMEOUT', [string, number]>(
    'RELIABILITY_ERR_UPSTREAM_TIMEOUT', 'GET %s did not complete within %d ms'),
  UPSTREAM_UNREACHABLE: createError<'RELIABILITY_ERR_UPSTREAM_UNREACHABLE', [string, string]>(
    'RELIABILITY_ERR_UPSTREAM_UNREACHABLE', 'GET %s failed: %s'),
  UPSTREAM_STATUS: createError<'RELIABILITY_ERR_UPSTREAM_STATUS', [string, number]>(
    'RELIABILITY_ERR_UPSTREAM_STATUS', 'GET %s answered HTTP %d'),
  UPSTREAM_REDIRECT: createError<'RELIABILITY_ERR_UPSTREAM_REDIRECT', [string, number]>(
    'RELIABILITY_ERR_UPSTREAM_REDIRECT', 'GET %s answered a redirect (HTTP %d), which is not followed'),
  BODY_TOO_LARGE: createError<'RELIABILITY_ERR_BODY_TOO_LARGE', [string, number]>(
    'RELIABILITY_ERR_BODY_TOO_LARGE', 'GET %s sent a body over the %d byte cap'),
  INVALID_BODY: createError<'RELIABILITY_ERR_INVALID_BODY', [string, string]>(
    'RELIABILITY_ERR_INVALID_BODY', 'GET %s sent a body that could not be read: %s'),
  SERIES_CAP: createError<'RELIABILITY_ERR_SERIES_CAP', [number]>(
    'RELIABILITY_ERR_SERIES_CAP', 'the metrics exposition has more than %d series'),
  METRICS_PARSE: createError<'RELIABILITY_ERR_METRICS_PARSE', [number, string]>(
    'RELIABILITY_ERR_METRICS_PARSE', 'metrics exposition line %d: %s')
} as const

export type ReliabilityErrorCode = ReturnType<(typeof ReliabilityErrors)[keyof typeof ReliabilityErrors]>['code']

// Constructed once each: @fastify/error keeps the code on the instance.
const codes: ReadonlySet<string> = new Set(Object.values(ReliabilityErrors).map((E) => new (E as unknown as new () => { code: string })().code))

/** The error's code when it is one of ours (a code of this table), else undefined. */
export function reliabilityCode (err: unknown): ReliabilityErrorCode | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && codes.has(code) ? code as ReliabilityErrorCode : undefined
}
