// Secrets never reach a report, a log or an error (SPEC §5). Sources are user code and upstream
// apps: their error messages can carry a connection string or a header, so every text that leaves
// the plugin passes through here.
// User info runs to the LAST @ before the host, as WHATWG URL parsing (undici, pg) reads it.
// The scheme is bounded: an unbounded one backtracks quadratically on text like 'a.a.a.…' (seconds
// for 200 KB), and this runs on error text from sources and upstream apps.
const urlCredentials = /(\b[a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/]*@/gi
const bearer = /\b(bearer|basic|token)\s+[a-z0-9._~+/=-]{4,}/gi
// A bounded identifier prefix catches DB_PASSWORD=, client_secret=, access_token= (\b alone does not,
// after `_`), and keeps the scan linear.
const keyValue = /\b([\w-]{0,40}?(?:password|passwd|pwd|secret|token|api[_-]?key|authorization))(["']?\s*[=:]\s*["']?)[^\s"',;&]+/gi

export interface Redactor {
  (text: string): string
}

/** @param secrets exact values to hide wherever they appear (the configured token, for one) */
export function createRedactor (secrets: readonly (string | undefined)[] = []): Redactor {
  const exact = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0)
  return (text) => {
    let out = text.replace(urlCredentials, '$1***@').replace(bearer, '$1 ***').replace(keyValue, '$1$2***')
    for (const secret of exact) out = out.split(secret).join('***')
    return out
  }
}

/** A log-safe copy of an error: pino serialises `err` by type, message, stack and code. */
export function redactError (err: Error, redact: Redactor): Error {
  const copy = new Error(redact(err.message))
  copy.name = err.name
  copy.stack = err.stack === undefined ? undefined : redact(err.stack)
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') Object.assign(copy, { code })
  return copy
}
