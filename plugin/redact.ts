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

/** What a cut string ends with (see `redactCapped`). */
export const CUT_MARK = '…'
// Fewer characters of a secret than this, left at the end of a cut string, are not worth a mark:
// any word may end in the same two or three letters.
const MIN_PARTIAL_SECRET = 4
// How much of a long string the redactor reads before the cap: enough that the cut is far from
// what is shown, small enough that the regexes stay in the low milliseconds on hostile text.
const REDACT_WINDOW = 16_384

// Cheap test before the three replacements: text without any of these has nothing they would change.
const mayHoldCredentials = /:\/\/|bearer|basic|token|passw|pwd|secret|api[_-]?key|authori[sz]ation/i

export interface Redactor {
  (text: string): string
}

/** @param secrets exact values to hide wherever they appear (the configured token, for one) */
export function createRedactor (secrets: readonly (string | undefined)[] = []): Redactor {
  const exact = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0)
  return (text) => {
    let out = mayHoldCredentials.test(text)
      ? text.replace(urlCredentials, '$1***@').replace(bearer, '$1 ***').replace(keyValue, '$1$2***')
      : text
    for (const secret of exact) if (out.includes(secret)) out = out.split(secret).join('***')
    // A source that capped its text without knowing our secrets (an upstream health body is capped
    // where it is read) may have cut one in two: its first characters then end the text.
    if (out.endsWith(CUT_MARK)) {
      for (const secret of exact) out = withoutPartialSecret(out, secret)
    }
    return out
  }
}

function withoutPartialSecret (text: string, secret: string): string {
  const body = text.slice(0, -CUT_MARK.length)
  for (let n = Math.min(secret.length - 1, body.length); n >= MIN_PARTIAL_SECRET; n--) {
    if (body.endsWith(secret.slice(0, n))) return body.slice(0, -n) + '***' + CUT_MARK
  }
  return text
}

/**
 * Redacts, then caps at `max` characters (the last one then `…`). Always in this order: a cut made
 * first could leave half a password the patterns no longer recognise (`postgres://app:hunt…`).
 */
export function redactCapped (redact: Redactor, text: string, max: number): string {
  if (text.length <= REDACT_WINDOW) {
    const out = redact(text)
    return out.length > max ? out.slice(0, max - CUT_MARK.length) + CUT_MARK : out
  }
  // Past the window the text is cut before redaction, at its last whitespace when that is beyond
  // what will be shown: no credential pattern spans whitespace, so none is cut in two there. In one
  // unbroken run, a credential cut at the window's edge could only be shown if the text before it
  // shrank by kilobytes under redaction; the redactor takes a cut configured secret off the end.
  const space = Math.max(...[' ', '\n', '\t', '\r'].map((c) => text.lastIndexOf(c, REDACT_WINDOW - 1)))
  const out = redact(text.slice(0, space >= max ? space : REDACT_WINDOW) + CUT_MARK)
  return out.length > max ? out.slice(0, max - CUT_MARK.length) + CUT_MARK : out
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
