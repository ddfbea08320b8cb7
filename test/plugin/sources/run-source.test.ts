import { mock } from 'node:test'
import t, { type Test } from 'tap'
import { ReliabilityErrors } from '../../../plugin/errors.js'
import { runSource, type RunSourceOptions } from '../../../plugin/sources/run-source.js'
import type { ReportPatch, Source, SourceContext } from '../../../plugin/sources/source.js'
import { silentLog } from '../../helpers/silent-log.js'

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
/** A promise the test settles when it wants: "later" is an event here, not a sleep (issue 10). */
function deferred (): { promise: Promise<void>, release: () => void } {
  let release: () => void = () => {}
  const promise = new Promise<void>((resolve) => { release = resolve })
  return { promise, release }
}
/** Turns of the event loop: enough for every settled promise's handlers, and Node's unhandled check. */
const turns = async (n = 2) => { for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve)) }
/** setTimeout on node's manual clock for one test: `tick(ms)` moves it. */
function manualTimers (t: Test) {
  mock.timers.enable({ apis: ['setTimeout'] })
  t.teardown(() => mock.timers.reset())
  return (ms: number) => mock.timers.tick(ms)
}

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
  const tick = manualTimers(t)
  let signal: AbortSignal | undefined
  await runSource(source(async (ctx) => { signal = ctx.signal; return {} }), opts({ timeoutMs: 20 }))
  tick(1000) // far past the deadline, had its timer been left
  t.equal(signal?.aborted, false)
})

t.test('a source that never resolves times out at its deadline, not before, its signal aborted', async (t) => {
  const tick = manualTimers(t)
  let signal: AbortSignal | undefined
  let outcome: Awaited<ReturnType<typeof runSource>> | undefined
  const running = runSource(source((ctx) => {
    signal = ctx.signal
    return new Promise<never>(() => {})
  }), opts({ timeoutMs: 40 })).then((o) => { outcome = o })
  tick(39)
  await turns()
  t.equal(outcome, undefined, 'still waiting 1 ms before the deadline')
  t.equal(signal?.aborted, false)
  tick(1)
  await running
  t.equal(outcome?.status, 'timeout')
  t.equal(errCode(outcome?.error), 'RELIABILITY_ERR_SOURCE_TIMEOUT')
  t.ok((outcome?.durationMs ?? -1) >= 0, `durationMs ${outcome?.durationMs}`)
  t.equal(outcome?.data, undefined)
  t.equal(signal?.aborted, true)
  t.equal(signal?.reason, outcome?.error, 'the timeout error is the abort reason')
})

// Nothing else holds the event loop open in this file: the deadline itself has to (a report waiting
// on a hung source must still come back even in a process with no server socket). Real timers.
t.test('a source that never resolves: the real deadline timer alone brings the outcome back', async (t) => {
  const outcome = await runSource(source(() => new Promise<never>(() => {})), opts({ timeoutMs: 40 }))
  t.equal(outcome.status, 'timeout')
})

t.test('a source that resolves after its deadline is a timeout, its late value ignored', async (t) => {
  const late = deferred()
  let settled = false
  const outcome = await runSource(source(async () => {
    await late.promise
    settled = true
    return { cache: { hits: 1 } }
  }), opts({ timeoutMs: 20 }))
  t.equal(outcome.status, 'timeout')
  t.equal(outcome.data, undefined)
  t.equal(settled, false, 'the outcome did not wait for the late source')
  late.release()
  await turns()
  t.equal(settled, true)
  t.same(unhandled, [])
})

t.test('a source that rejects after its deadline leaves no unhandled rejection', async (t) => {
  const late = deferred()
  let settled = false
  const outcome = await runSource(source(async () => {
    await late.promise
    settled = true
    throw new Error('too late')
  }), opts({ timeoutMs: 20 }))
  t.equal(outcome.status, 'timeout')
  late.release()
  await turns()
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
  await turns()
  t.same(unhandled, [])
})
