// What the target is judged by (issue 9, SPEC §8): health when it offers one, else whether its
// metrics endpoint answers, with the same thresholds; and what reliability_target_up says.
import t from 'tap'
import { ReliabilityErrors } from '../../../plugin/errors.js'
import { createTargetWatch, targetBasis, type Basis } from '../../../sidecar/discovery/target-watch.js'
import type { SlotStatus } from '../../../sidecar/discovery/path-slot.js'
import { initialTargetState, type TargetState } from '../../../sidecar/poller/target-state.js'
import type { EndpointHandler, PollResult } from '../../../sidecar/poller/poller.js'
import type { Source, SourceContext } from '../../../plugin/sources/source.js'

const table: Array<[SlotStatus, SlotStatus, Basis, string]> = [
  ['fixed', 'found', 'health', 'a configured health endpoint, always'],
  ['found', 'absent', 'health', 'a health endpoint found'],
  ['searching', 'found', 'health', 'the first search (the target down, or its /health hanging) as if configured'],
  ['absent', 'found', 'metrics', 'node_exporter: no health, metrics'],
  ['absent', 'fixed', 'metrics', 'no health, metrics configured'],
  ['off', 'found', 'metrics', 'health off'],
  ['reprobing', 'found', 'metrics', 'a re-probe of a health not offered: metrics keeps speaking'],
  ['absent', 'searching', 'metrics', 'no health, metrics not found yet'],
  ['reprobing', 'absent', 'health', 'nothing in use: a re-probe that cannot ask is the one sign left'],
  ['absent', 'absent', undefined, 'neither offered'],
  ['off', 'off', undefined, 'both off']
]
for (const [health, metrics, basis, name] of table) {
  t.test(`basis: ${name}`, async (t) => { t.equal(targetBasis(health, metrics), basis) })
}

const ok = (statusCode = 200): PollResult => ({ answer: { statusCode, contentType: 'text/plain', body: '', lines: [], durationMs: 4 }, at: 0, durationMs: 4 })
const refused: PollResult = { error: ReliabilityErrors.UPSTREAM_UNREACHABLE('/metrics', 'ECONNREFUSED'), at: 0, durationMs: 1 }
const tooBig: PollResult = { error: ReliabilityErrors.BODY_TOO_LARGE('/metrics', 1024), at: 0, durationMs: 1 }
const ctx = { now: () => 0 } as unknown as SourceContext

function setup (health: SlotStatus, healthState?: TargetState) {
  const seen: PollResult[] = []
  const watch = createTargetWatch({
    targetName: 'app',
    failureThreshold: 3,
    successThreshold: 1,
    health: () => ({ status: health, state: healthState }),
    metrics: () => ({ status: 'found', path: '/metrics' })
  })
  const inner: EndpointHandler = { name: 'metrics', path: '/metrics', onResult: (r) => { seen.push(r); return undefined } }
  const handler = watch.observeMetrics(inner)
  const metricsSource: Source = { name: 'metrics', collect: async () => ({ provenance: { status: 'ok' } }) }
  const healthSource: Source = { name: 'health', collect: async () => ({ services: [{ name: 'app', status: 'degraded', critical: true, latency_ms: null }], notes: ['starting'], provenance: { status: 'error', error: 'x' } }) }
  return { watch, handler, seen, metrics: watch.metricsSource(metricsSource), health: watch.healthSource(healthSource) }
}

t.test('judged by metrics: starting, up, degraded, down after 3 failed polls, back after 1', async (t) => {
  const s = setup('absent')
  const service = async () => (await s.metrics.collect(ctx)).services?.[0]
  t.match(await service(), { status: 'degraded', error: /^starting: no answer from \/metrics yet; no health endpoint, judged by the metrics endpoint/ })
  t.equal(s.watch.up(), false, 'not up before an answer')
  s.handler.onResult(ok())
  t.same(await service(), { name: 'app', status: 'ok', critical: true, latency_ms: 4, details: { based_on: 'metrics', path: '/metrics' } })
  t.equal(s.watch.up(), true)
  s.handler.onResult(tooBig)
  t.equal(s.watch.up(), true, 'a body over the cap: the target answered')
  s.handler.onResult(ok(503))
  t.match(await service(), { status: 'degraded', error: '1 poll of /metrics failed in a row (down after 3) (HTTP 503)' })
  t.equal(s.watch.up(), false)
  s.handler.onResult(refused)
  s.handler.onResult(refused)
  t.match(await service(), { status: 'down', error: /^down: 3 polls of \/metrics failed in a row \(down after 3\) \(GET \/metrics failed: ECONNREFUSED\)/ })
  s.handler.onResult(ok())
  t.equal(s.watch.up(), true, 'back after one good poll')
  t.equal(s.seen.length, 6, 'every result still reaches the metrics reader')
  t.same(await s.health.collect(ctx), { provenance: { status: 'error', error: 'x' }, setup: undefined }, 'health\'s own services and notes left out')
})

t.test('judged by health: its state decides target_up; metrics add no service', async (t) => {
  const up = setup('found', { phase: 'up', consecutiveFailures: 0, consecutiveSuccesses: 3 })
  up.handler.onResult(refused)
  t.equal(up.watch.up(), true, 'metrics failing does not matter')
  t.equal((await up.metrics.collect(ctx)).services, undefined)
  t.equal((await up.health.collect(ctx)).services?.length, 1, 'health keeps its services')
  t.equal(setup('found', { phase: 'up', consecutiveFailures: 1, consecutiveSuccesses: 0 }).watch.up(), false, 'one failed health poll')
  t.equal(setup('searching', initialTargetState).watch.up(), false, 'starting')
  t.equal(setup('absent').watch.up(), false, 'no health, metrics never answered')
})
