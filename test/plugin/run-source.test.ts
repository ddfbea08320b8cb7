import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { ReliabilityErrors } from '../../plugin/errors.js'
import { runSource, type RunSourceOptions } from '../../plugin/run-source.js'
import type { ReportPatch, Source, SourceContext } from '../../plugin/source.js'
import { silentLog } from '../helpers/silent-log.js'

// Every case here must leave no unhandled rejection behind, including the sources that settle after
// their deadline (SPEC §2). The listener stays for the whole file; the last test reads it.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => { unhandled.push(reason) }
process.on('unhandledRejection', onUnhandled)
t.teardown(() => { process.off('unhandledRejection', onUnhandled) })

const T0 = 1_700_000_000_000
const opts = (extra: Partial<RunSourceOptions> = {}): RunSourceOptions => ({
  timeoutMs: 40, now: () => T0, log: silentLog(), ...extra
})
const source = (collect: (ctx: SourceContext) => Promise<ReportPatch>): Source => ({ name: 'probe', collect })
const errCode = (err: unknown): unknown => (err as { code?: unknown } | undefined)?.code
/** Sources do reject with strings and undefined; a test has to be able to say so. */
const rejectWith = (reason: unknown): Promise<never> => Promise.reject(reason)

t.test('ok: the data, the start time from the injected clock, a duration', async (t) => {
  const patch: ReportPatch = { cache: { hits: 1 } }
  const outcome = await runSource(source(async () => patch), opts({ timeoutMs: 1000 }))
  t.equal(outcome.status, 'ok')
  t.equal(outcome.name, 'probe')
  t.equal(outcome.data, patch)
  t.equal(outcome.startedAt, T0)
  t.type(outcome.durationMs, 'number')
  t.ok(outcome.durationMs >= 0)
  t.equal(outcome.error, undefined)
})

t.test('ok: the deadline is cleared, so the source signal is never aborted afterwards', async (t) => {
  let signal: AbortSignal | undefined
  await runSource(source(async (ctx) => { signal = ctx.signal; return {} }), opts({ timeoutMs: 20 }))
  await sleep(50)
  t.equal(signal?.aborted, false)
})

// Nothing else holds the event loop open in this file: the deadline itself has to (a report waiting
// on a hung source must still come back even in a process with no server socket).
t.test('a source that never resolves times out within timeoutMs + 50 ms, its signal aborted', async (t) => {
  let signal: AbortSignal | undefined
  const started = performance.now()
  const outcome = await runSource(source((ctx) => {
    signal = ctx.signal
    return new Promise<never>(() => {})
  }), opts({ timeoutMs: 40 }))
  const elapsed = performance.now() - started
  t.equal(outcome.status, 'timeout')
  t.equal(errCode(outcome.error), 'RELIABILITY_ERR_SOURCE_TIMEOUT')
  t.ok(elapsed >= 39 && elapsed < 90, `returned after ${elapsed} ms`)
  t.ok(outcome.durationMs >= 39 && outcome.durationMs < 90, `durationMs ${outcome.durationMs}`)
  t.equal(outcome.data, undefined)
  t.equal(signal?.aborted, true)
  t.equal(signal?.reason, outcome.error, 'the timeout error is the abort reason')
})

t.test('a source that resolves after its deadline is a timeout, its late value ignored', async (t) => {
  let settled = false
  const outcome = await runSource(source(async () => {
    await sleep(70)
    settled = true
    return { cache: { hits: 1 } }
  }), opts({ timeoutMs: 20 }))
  t.equal(outcome.status, 'timeout')
  t.equal(outcome.data, undefined)
  t.equal(settled, false, 'the outcome did not wait for the late source')
  await sleep(80)
  t.equal(settled, true)
  t.same(unhandled, [])
})

t.test('a source that rejects after its deadline leaves no unhandled rejection', async (t) => {
  let settled = false
  const outcome = await runSource(source(async () => {
    await sleep(60)
    settled = true
    throw new Error('too late')
  }), opts({ timeoutMs: 20 }))
  t.equal(outcome.status, 'timeout')
  await sleep(80)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(settled, true)
  t.same(unhandled, [])
})

t.test('failures become status error with SOURCE_FAILED, the original as cause', async (t) => {
  const boom = new Error('boom')
  const cases: Array<{ name: string, collect: () => Promise<ReportPatch>, cause: unknown }> = [
    { name: 'throws synchronously', collect: () => { throw boom }, cause: boom },
    { name: 'rejects with an Error', collect: async () => { throw boom }, cause: boom },
    { name: 'rejects with a string', collect: () => rejectWith('just text'), cause: 'just text' },
    { name: 'rejects with undefined', collect: () => rejectWith(undefined), cause: undefined },
    { name: 'rejects with null', collect: () => rejectWith(null), cause: null },
    { name: 'rejects with a plain object', collect: () => rejectWith({ reason: 'x' }), cause: { reason: 'x' } }
  ]
  for (const c of cases) {
    const outcome = await runSource({ name: 'probe', collect: c.collect }, opts())
    t.equal(outcome.status, 'error', c.name)
    t.equal(errCode(outcome.error), 'RELIABILITY_ERR_SOURCE_FAILED', c.name)
    t.ok(outcome.error instanceof Error, c.name)
    t.same((outcome.error as Error & { cause?: unknown }).cause, c.cause, c.name)
    t.equal(outcome.startedAt, T0, c.name)
    t.equal(outcome.data, undefined, c.name)
  }
})

t.test('a coded RELIABILITY error is kept as it is', async (t) => {
  const invalid = ReliabilityErrors.SOURCE_INVALID('probe', 'hits must be a number')
  const outcome = await runSource(source(async () => { throw invalid }), opts())
  t.equal(outcome.status, 'error')
  t.equal(outcome.error, invalid)
  t.equal(errCode(outcome.error), 'RELIABILITY_ERR_SOURCE_INVALID')
})

t.test('an error with a foreign string code is wrapped', async (t) => {
  const econn = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
  const outcome = await runSource(source(async () => { throw econn }), opts())
  t.equal(errCode(outcome.error), 'RELIABILITY_ERR_SOURCE_FAILED')
  t.equal((outcome.error as Error & { cause?: unknown }).cause, econn)
})

// Found while writing these tests: a non-string `code` (MongoDB's 11000, a gRPC status) makes
// `code.startsWith` throw inside runSource's catch, so "running a source never throws" breaks.
t.test('an error with a numeric code (a MongoDB duplicate key) is wrapped, never thrown', async (t) => {
  const dup = Object.assign(new Error('E11000 duplicate key'), { code: 11000 })
  let outcome: Awaited<ReturnType<typeof runSource>> | undefined
  let thrown: unknown
  try {
    outcome = await runSource(source(async () => { throw dup }), opts())
  } catch (err) {
    thrown = err
  }
  t.equal(thrown, undefined, 'runSource did not throw')
  t.equal(outcome?.status, 'error')
  t.equal(errCode(outcome?.error), 'RELIABILITY_ERR_SOURCE_FAILED')
})

t.test('the parent signal aborting aborts the source signal with its reason', async (t) => {
  const parent = new AbortController()
  const closing = new Error('plugin closing')
  let signal: AbortSignal | undefined
  const running = runSource(source((ctx) => {
    signal = ctx.signal
    return new Promise<never>((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })
    })
  }), opts({ timeoutMs: 1000, signal: parent.signal }))
  t.equal(signal?.aborted, false)
  parent.abort(closing)
  const outcome = await running
  t.equal(signal?.aborted, true)
  t.equal(signal?.reason, closing)
  t.equal(outcome.status, 'error', 'a cooperative source stops at once, not at its deadline')
  t.equal((outcome.error as Error & { cause?: unknown }).cause, closing)
})

t.test('a parent signal aborted before the call aborts the source signal too', async (t) => {
  const parent = new AbortController()
  parent.abort(new Error('closed'))
  let signal: AbortSignal | undefined
  await runSource(source(async (ctx) => { signal = ctx.signal; return {} }), opts({ signal: parent.signal }))
  t.equal(signal?.aborted, true)
})

t.test('the parent listener is removed once the call ends', async (t) => {
  const parent = new AbortController()
  let signal: AbortSignal | undefined
  await runSource(source(async (ctx) => { signal = ctx.signal; return {} }), opts({ signal: parent.signal }))
  parent.abort(new Error('later'))
  t.equal(signal?.aborted, false, 'a finished call is not aborted by a later close')
})

t.test('no unhandled rejection in any case above', async (t) => {
  await new Promise((resolve) => setImmediate(resolve))
  await sleep(100)
  t.same(unhandled, [])
})
