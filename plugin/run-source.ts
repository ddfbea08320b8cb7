// One source call under its own deadline. The signal tells a cooperative source to stop; the race
// makes sure a source that ignores it still cannot hold the report (STYLE §5). The loser's promise
// keeps a rejection handler so it can never surface as an unhandled rejection later.
import type { FastifyBaseLogger } from 'fastify'
import { ReliabilityErrors, reliabilityCode } from './errors.js'
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
  const timeoutError = ReliabilityErrors.SOURCE_TIMEOUT(source.name, timeoutMs)
  const startedAt = now()
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const onParentAbort = () => controller.abort(opts.signal?.reason)
  if (opts.signal?.aborted) controller.abort(opts.signal.reason)
  else opts.signal?.addEventListener('abort', onParentAbort, { once: true })

  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeoutError)
      reject(timeoutError)
    }, timeoutMs)
    // Not unref'd: someone is waiting on this deadline, and it is cleared as soon as the call settles.
  })

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
    if (err === timeoutError) {
      return { name: source.name, status: 'timeout', startedAt, durationMs, error: timeoutError }
    }
    const reason = err instanceof Error ? err.message : String(err)
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
