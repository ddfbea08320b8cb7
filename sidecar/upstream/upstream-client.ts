// GET requests to the watched app over one keep-alive undici Pool (SPEC §6): each with its own
// deadline, no redirect followed, the body capped while it streams in. Every failure is one of
// our coded errors naming the path (never the credentials), so a section can say why in words.
import { Pool, errors as undiciErrors } from 'undici'
import { ReliabilityErrors, reliabilityCode } from '../../plugin/errors.js'
import { LinePieces } from './line-pieces.js'

export interface UpstreamAnswer {
  readonly statusCode: number
  readonly contentType: string | undefined
  /** The body as one string, joined from `lines` when first read. */
  readonly body: string
  /** The body as pieces that each end at a newline (the last may not): see line-pieces.ts. */
  readonly lines: readonly string[]
  readonly durationMs: number
}

/**
 * The Accept of the JSON endpoints (health, websocket admin): what `get` sends unless told otherwise.
 */
export const JSON_ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.5'

/**
 * The Accept of the metrics endpoint: Prometheus 3's own (scrape.acceptHeader over the default
 * scrape_protocols, protobuf left out), so the app answers the sidecar what it answers Prometheus.
 * `escaping=allow-utf-8` asks for UTF-8 names as they are (`{"http.server.requests"}`); without
 * it Go's client (prometheus/common expfmt.NegotiateAccept) writes them with underscores. The
 * answer is OpenMetrics (`application/openmetrics-text`, 1.0.0 or 0.0.1) or the text format
 * (`text/plain`, 0.0.4), each possibly with an `escaping` parameter: the parser reads all of them.
 * JSON is left out on purpose: a MicroProfile Metrics app answers JSON on /metrics when asked for it.
 */
export const EXPOSITION_ACCEPT = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,' +
  'application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,' +
  'text/plain;version=0.0.4;q=0.2,*/*;q=0.1'

export interface UpstreamClient {
  /**
   * Resolves with any HTTP status except a redirect; rejects with a coded error. `accept` is the
   * request's Accept header (default `JSON_ACCEPT`; the metrics endpoint wants `EXPOSITION_ACCEPT`).
   */
  get(path: string, signal?: AbortSignal, accept?: string): Promise<UpstreamAnswer>
  close(): Promise<void>
}

export interface UpstreamClientOptions {
  /** The target's origin; credentials in it are sent as Basic auth and never shown. */
  readonly target: string
  readonly timeoutMs: number
  readonly maxBodyBytes: number
  /** Keep-alive sockets to the target; three endpoints polled together need no more. */
  readonly connections?: number
}

export function createUpstreamClient (opts: UpstreamClientOptions): UpstreamClient {
  const url = new URL(opts.target)
  const headers: Record<string, string> = { accept: JSON_ACCEPT, 'user-agent': 'reliability-sidecar' }
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username)
    const pass = decodeURIComponent(url.password)
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
  }
  // A base path in the target (http://host/app) prefixes every endpoint path.
  const base = url.pathname.replace(/\/+$/, '')
  const pool = new Pool(url.origin, {
    connections: opts.connections ?? 3,
    keepAliveTimeout: 30_000,
    // undici's own timeouts back up the deadline below; they must not fire first.
    headersTimeout: opts.timeoutMs + 1000,
    bodyTimeout: opts.timeoutMs + 1000
  })

  // One header object per Accept, made once: a poll allocates none.
  const byAccept = new Map<string, Record<string, string>>([[JSON_ACCEPT, headers]])
  const headersFor = (accept: string): Record<string, string> => {
    let h = byAccept.get(accept)
    if (h === undefined) byAccept.set(accept, h = { ...headers, accept })
    return h
  }

  async function get (path: string, signal?: AbortSignal, accept = JSON_ACCEPT): Promise<UpstreamAnswer> {
    const fullPath = base + path
    const started = performance.now()
    // One controller per request, its listener on the poller's long-lived signal removed and its
    // timer cleared when the request ends: AbortSignal.any() with a long-lived signal leaks
    // (nodejs/node#55351), and this runs every poll for the sidecar's whole life.
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), opts.timeoutMs)
    const onStop = () => controller.abort(signal?.reason)
    if (signal?.aborted) onStop()
    else signal?.addEventListener('abort', onStop, { once: true })
    try {
      const res = await pool.request({ path: fullPath, method: 'GET', headers: headersFor(accept), signal: controller.signal })
      // The deadline can still fire after we stop reading (a redirect or an over-cap answer is
      // refused before its body is read): undici then emits 'error' on this body, which must not
      // find it without a listener and crash the process (found by the soak, issue 5).
      res.body.on('error', () => {})
      try {
        if (res.statusCode >= 300 && res.statusCode < 400) {
          throw ReliabilityErrors.UPSTREAM_REDIRECT(path, res.statusCode)
        }
        const declared = Number(res.headers['content-length'])
        if (Number.isFinite(declared) && declared > opts.maxBodyBytes) {
          throw ReliabilityErrors.BODY_TOO_LARGE(path, opts.maxBodyBytes)
        }
        const text = new LinePieces()
        let size = 0
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length
          if (size > opts.maxBodyBytes) throw ReliabilityErrors.BODY_TOO_LARGE(path, opts.maxBodyBytes)
          text.push(chunk as Buffer)
        }
        const type = res.headers['content-type']
        return answer(res.statusCode, Array.isArray(type) ? type[0] : type, text.end(), performance.now() - started)
      } finally {
        // Unread or abandoned bodies must not hold the socket.
        if (!res.body.destroyed) res.body.destroy()
      }
    } catch (err) {
      throw classify(err, path, controller.signal.aborted && !signal?.aborted, opts.timeoutMs)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onStop)
    }
  }

  return {
    get,
    async close () {
      await pool.close().catch(() => pool.destroy())
    }
  }
}

function answer (statusCode: number, contentType: string | undefined, lines: readonly string[], durationMs: number): UpstreamAnswer {
  let body: string | undefined
  return {
    statusCode,
    contentType,
    lines,
    durationMs,
    get body () {
      body ??= lines.length === 1 ? lines[0] : lines.join('')
      return body
    }
  }
}

function classify (err: unknown, path: string, timedOut: boolean, timeoutMs: number): Error {
  if (reliabilityCode(err) !== undefined) return err as Error
  if (timedOut || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return ReliabilityErrors.UPSTREAM_TIMEOUT(path, timeoutMs)
  }
  const code = (err as { code?: unknown } | null)?.code
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.name : 'request failed'
  // Only the error's code or class name: undici messages can carry the origin.
  return Object.assign(ReliabilityErrors.UPSTREAM_UNREACHABLE(path, reason), { cause: err })
}
