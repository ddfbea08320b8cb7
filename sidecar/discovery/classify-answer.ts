// What one answer says about whether the target offers a path at all (SPEC §6, issue 9). A 404,
// 405 or 410, a redirect (never followed) or an HTML page where JSON, health text or Prometheus
// text was asked for is the app's router or landing page speaking, not the endpoint: "not offered".
// A transport failure says nothing about the path, only that the target could not be asked.
import { reliabilityCode } from '../../plugin/errors.js'
import type { PollResult } from '../poller/poller.js'
import type { UpstreamAnswer } from '../upstream/upstream-client.js'

export type Verdict =
  /** The endpoint exists: its answer (good or bad) is for the source to read. */
  | { readonly kind: 'offered' }
  /** Not there; `reason` in words, e.g. `answered 404`. */
  | { readonly kind: 'not-offered', readonly reason: string }
  /** Connection refused, reset, timed out: a failed poll of the target, the path still unknown. */
  | { readonly kind: 'failed' }

const GONE = new Set([404, 405, 410])
const TRANSPORT = new Set(['RELIABILITY_ERR_UPSTREAM_UNREACHABLE', 'RELIABILITY_ERR_UPSTREAM_TIMEOUT'])

/** The target could not be asked: refused, reset, timed out (or an error we did not code). */
export function isTransportFailure (error: unknown): boolean {
  const code = reliabilityCode(error)
  return code === undefined || TRANSPORT.has(code)
}

/** An HTML page: by its type, or by its first character when the type says nothing useful. */
export function isHtml (answer: UpstreamAnswer): boolean {
  if (/^\s*text\/html\b/i.test(answer.contentType ?? '')) return true
  // Piece by piece to the first visible character: a 1 MiB body is not joined to read one.
  for (const piece of answer.lines) {
    const text = piece.replace(/^\uFEFF/, '').trimStart()
    if (text !== '') return text.startsWith('<')
  }
  return false
}

/** A 2xx answer whose body is one JSON object: what a websocket admin endpoint must give to be found. */
export function isJsonObject (answer: UpstreamAnswer): boolean {
  if (answer.statusCode < 200 || answer.statusCode >= 300) return false
  try {
    const value: unknown = JSON.parse(answer.body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

/**
 * `accepts`, when given, must also hold for the path to count as offered: the websocket admin is
 * opt-in and found only when it answers a JSON object; anything else it answers is "not offered".
 */
export function classifyAnswer (result: PollResult, accepts?: (answer: UpstreamAnswer) => boolean): Verdict {
  const { answer, error } = result
  if (answer === undefined) {
    const code = reliabilityCode(error)
    if (code === 'RELIABILITY_ERR_UPSTREAM_REDIRECT') return { kind: 'not-offered', reason: 'answered a redirect' }
    // A body over the cap came from an endpoint that exists: the source says so, as an error.
    return isTransportFailure(error) ? { kind: 'failed' } : { kind: 'offered' }
  }
  if (GONE.has(answer.statusCode)) return { kind: 'not-offered', reason: `answered ${answer.statusCode}` }
  if (isHtml(answer)) return { kind: 'not-offered', reason: 'answered HTML' }
  if (accepts !== undefined && !accepts(answer)) {
    const ok = answer.statusCode >= 200 && answer.statusCode < 300
    return { kind: 'not-offered', reason: ok ? 'answered no JSON object' : `answered ${answer.statusCode}` }
  }
  return { kind: 'offered' }
}
