// One source call under its own deadline. The signal tells a cooperative source to stop; the race
// makes sure a source that ignores it still cannot hold the report (STYLE §5). The loser's promise
// keeps a rejection handler so it can never surface as an unhandled rejection later.
import type { FastifyBaseLogger } from 'fastify'
import { ReliabilityErrors, reliabilityCode } from '../errors.js'
import type { Source, SourceOutcome, ReportPatch } from './source.js'

export interface RunSourceOptions {
  readonly timeoutMs: number
  readonly now: () => number
  readonly log: FastifyBaseLogger
  /** Aborted when the plugin closes; the per-call deadline is combined with it. */
  readonly signal?: AbortSignal
}

export async function runSource (source: Source, opts: RunSourceOptions): Promise<SourceOutcome> {
  const { timeoutMs, now, log } = opts
  const controller = new AbortController()
  // Built only when the deadline passes: an error with its stack costs more than the rest of a fast
  // source call (a fifth of a generation's CPU in B3 of BENCHMARKS.md).
  let timeoutError: Error | undefined
  const startedAt = now()
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  let endRace: (reason: unknown) => void = () => {}

  const deadline = new Promise<never>((_resolve, reject) => {
    endRace = reject
    timer = setTimeout(() => {
      timeoutError = ReliabilityErrors.SOURCE_TIMEOUT(source.name, timeoutMs)
      controller.abort(timeoutError)
      reject(timeoutError)
    }, timeoutMs)
    // Not unref'd: someone is waiting on this deadline, and it is cleared as soon as the call settles.
  })
  // The plugin closing ends the race at once: a source that ignores its signal must not keep a
  // deadline timer, and so the process, alive after close().
  const onParentAbort = () => {
    clearTimeout(timer)
    controller.abort(opts.signal?.reason)
    endRace(opts.signal?.reason ?? new Error('closed'))
  }
  if (opts.signal?.aborted) onParentAbort()
  else opts.signal?.addEventListener('abort', onParentAbort, { once: true })

  let call: Promise<ReportPatch>
  try {
    call = Promise.resolve(source.collect({ signal: controller.signal, now, log }))
  } catch (err) {
    // A source that throws synchronously is treated exactly like one that rejects.
    call = Promise.reject(err)
  }
  call.catch(() => {})

  try {
    const data = await Promise.race([call, deadline])
    return { name: source.name, status: 'ok', startedAt, durationMs: performance.now() - started, data }
  } catch (err) {
    const durationMs = performance.now() - started
    if (timeoutError !== undefined && err === timeoutError) {
      return { name: source.name, status: 'timeout', startedAt, durationMs, error: timeoutError }
    }
    const reason = describe(err)
    // Other libraries' codes can be numbers (MongoDB's 11000): only ours are kept as they are.
    const error = reliabilityCode(err) !== undefined
      ? err as Error
      : Object.assign(ReliabilityErrors.SOURCE_FAILED(source.name, reason), { cause: err })
    return { name: source.name, status: 'error', startedAt, durationMs, error }
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', onParentAbort)
  }
}

/** Words for whatever a source threw: an Error's message, a plain object's `message` or `code`. */
function describe (err: unknown): string {
  if (err instanceof Error) return err.message
  if (err !== null && typeof err === 'object') {
    const { message, code } = err as { message?: unknown, code?: unknown }
    if (typeof message === 'string' && message !== '') return typeof code === 'string' || typeof code === 'number' ? `${message} (${code})` : message
    if (typeof code === 'string' || typeof code === 'number') return `code ${code}`
    return 'a value that is not an Error'
  }
  return String(err).slice(0, 200)
}
