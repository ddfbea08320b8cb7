import t from 'tap'
import { ReliabilityErrors } from '../../../plugin/errors.js'
import { createServicesSource, type ServiceCheck } from '../../../plugin/sources/services-source.js'
import type { SourceContext } from '../../../plugin/sources/source.js'
import type { ServiceStatus } from '../../../schemas/report.js'
import { silentLog } from '../../helpers/silent-log.js'

const rejectWith = (reason: unknown): Promise<never> => Promise.reject(reason)
const ctx = (signal = new AbortController().signal): SourceContext => ({ signal, now: () => 0, log: silentLog() })

async function collect (checks: ServiceCheck[], timeoutMs = 40, context = ctx()): Promise<ServiceStatus[]> {
  const patch = await createServicesSource(() => checks, timeoutMs).collect(context)
  return patch.services as ServiceStatus[]
}

t.test('what a check resolves to becomes the service status', async (t) => {
  const cases: Array<{ name: string, result: unknown, status: string, details?: unknown, hasError: boolean }> = [
    { name: 'undefined', result: undefined, status: 'ok', hasError: false },
    { name: 'true', result: true, status: 'ok', hasError: false },
    { name: 'false', result: false, status: 'down', hasError: true },
    { name: 'an empty object', result: {}, status: 'ok', hasError: false },
    { name: 'ok with details', result: { status: 'ok', details: { pool: 4 } }, status: 'ok', details: { pool: 4 }, hasError: false },
    { name: 'degraded with details', result: { status: 'degraded', details: { lag_s: 12 } }, status: 'degraded', details: { lag_s: 12 }, hasError: false },
    { name: 'down', result: { status: 'down' }, status: 'down', hasError: false },
    { name: 'a bogus status', result: { status: 'bogus' }, status: 'down', hasError: true },
    { name: 'details that are not an object', result: { details: 'text' }, status: 'ok', hasError: false }
  ]
  const services = await collect(cases.map((c) => ({ name: c.name, check: async () => c.result as never })))
  t.equal(services.length, cases.length)
  cases.forEach((c, i) => {
    const s = services[i]
    t.equal(s.name, c.name, `${c.name}: order kept`)
    t.equal(s.status, c.status, `${c.name}: status`)
    t.same(s.details, c.details, `${c.name}: details`)
    t.equal(typeof s.error === 'string', c.hasError, `${c.name}: error ${c.hasError ? 'said' : 'absent'}`)
    t.type(s.latency_ms, 'number', `${c.name}: latency_ms`)
  })
  t.equal(services[7].error, ReliabilityErrors.SOURCE_INVALID('a bogus status', 'status "bogus" is not ok|degraded|down').message)
})

t.test('a check that throws or rejects is down, with the reason', async (t) => {
  const services = await collect([
    { name: 'sync', check: () => { throw new Error('sync boom') } },
    { name: 'async', check: async () => { throw new Error('async boom') } },
    { name: 'string', check: () => rejectWith('just text') }
  ])
  for (const s of services) {
    t.equal(s.status, 'down', s.name)
    t.type(s.error, 'string', s.name)
  }
  t.match(services[0].error, /sync boom/)
  t.match(services[1].error, /async boom/)
})

t.test('a check that hangs is down with the timeout error; the others are unaffected', async (t) => {
  const services = await collect([
    { name: 'fast', critical: true, check: async () => true },
    { name: 'hangs', critical: true, check: () => new Promise<never>(() => {}) },
    // Later than the fast one by a turn of the event loop, which always comes before a timer's
    // (the deadline's) next phase: slower, yet certainly in time however busy the machine.
    { name: 'slowish', check: async () => { await new Promise((resolve) => setImmediate(resolve)); return { status: 'degraded' } } }
  ], 40)
  // No bound on how long collect took: that it came back with the hung check down is the point.
  t.match(services[0], { name: 'fast', status: 'ok', critical: true })
  t.equal(services[0].error, undefined)
  t.match(services[1], { name: 'hangs', status: 'down', critical: true, error: ReliabilityErrors.SOURCE_TIMEOUT('hangs', 40).message })
  t.ok(services[1].latency_ms !== null && services[1].latency_ms >= 39, `hung latency ${services[1].latency_ms}`)
  t.match(services[2], { name: 'slowish', status: 'degraded', critical: false })
  t.ok(services[2].latency_ms !== null && services[2].latency_ms >= 0, `slowish latency ${services[2].latency_ms}`)
})

t.test('the critical flag is carried, false by default, whatever the outcome', async (t) => {
  const services = await collect([
    { name: 'db', critical: true, check: async () => true },
    { name: 'cache', check: async () => true },
    { name: 'queue', critical: false, check: async () => false },
    { name: 'auth', critical: true, check: async () => { throw new Error('x') } }
  ])
  t.same(services.map((s) => [s.name, s.critical]), [['db', true], ['cache', false], ['queue', false], ['auth', true]])
})

t.test('each check gets a signal that the source signal aborts', async (t) => {
  const parent = new AbortController()
  let seen: AbortSignal | undefined
  const running = collect([{
    name: 'db',
    check: (c) => {
      seen = c.signal
      return new Promise((_resolve, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason)))
    }
  }], 1000, ctx(parent.signal))
  parent.abort(new Error('closing'))
  const services = await running
  t.equal(seen?.aborted, true)
  t.equal(services[0].status, 'down')
})

t.test('the list of checks is read at every collect', async (t) => {
  const checks: ServiceCheck[] = []
  const source = createServicesSource(() => checks, 40)
  t.equal(source.name, 'services')
  t.same(await source.collect(ctx()), { services: [] })
  checks.push({ name: 'late', check: async () => true })
  const patch = await source.collect(ctx())
  t.same(patch.services?.map((s) => s?.name), ['late'])
})
