import os from 'node:os'
import { mock } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createEventLoopSource } from '../../../plugin/builtins/event-loop-source.js'
import { createProcessSource } from '../../../plugin/builtins/process-source.js'
import { createSnapshotRing } from '../../../plugin/builtins/snapshot-ring.js'
import { createWindowTicker, type WindowTicker } from '../../../plugin/builtins/window-ticker.js'
import type { ReportPatch, SourceContext } from '../../../plugin/sources/source.js'
import { silentLog } from '../../helpers/silent-log.js'

const ctx = (): SourceContext => ({ signal: new AbortController().signal, now: () => Date.now(), log: silentLog() })

/** Keeps the thread busy (CPU and event loop) for `ms` of wall time. */
function burn (ms: number): void {
  const until = performance.now() + ms
  let x = 0
  while (performance.now() < until) x += Math.sqrt(x + 1)
  if (x < 0) throw new Error('unreachable')
}

function ticker (t: { teardown(fn: () => void): void }, windowMs: number, slots: number): WindowTicker {
  const tk = createWindowTicker(windowMs, slots)
  t.teardown(() => tk.stop())
  return tk
}

type Perf = NonNullable<ReportPatch['performance']>
type Infra = NonNullable<ReportPatch['infrastructure']>

t.test('window ticker: listeners are called every slot; stop() stops them', async (t) => {
  // Node's manual clock: the slots are counted, not slept through (issue 10).
  mock.timers.enable({ apis: ['setInterval'] })
  t.teardown(() => mock.timers.reset())
  const tk = ticker(t, 40, 4)
  t.equal(tk.windowMs, 40)
  t.equal(tk.slots, 4)
  t.equal(tk.slotMs, 10)
  let a = 0
  let b = 0
  tk.onTick(() => { a++ })
  tk.onTick(() => { b++ })
  mock.timers.tick(9)
  t.equal(a, 0, 'not before a slot has passed')
  mock.timers.tick(61)
  t.equal(a, 7, 'one tick per 10 ms slot over 70 ms')
  t.equal(b, a, 'every listener on every tick')
  tk.stop()
  mock.timers.tick(40)
  t.equal(a, 7, 'no tick after stop()')
})

t.test('window ticker: slot length from window and slots, never below 1 ms, six slots by default', async (t) => {
  t.equal(ticker(t, 3, 6).slotMs, 1)
  const byDefault = ticker(t, 60_000, undefined as unknown as number)
  t.equal(byDefault.slots, 6)
  t.equal(byDefault.slotMs, 10_000)
  t.equal(ticker(t, 1_000, 3).slotMs, 333)
})

t.test('snapshot ring: oldest of the last `size` snapshots', async (t) => {
  const ring = createSnapshotRing(3, 'a')
  t.equal(ring.oldest(), 'a')
  ring.push('b')
  ring.push('c')
  t.equal(ring.oldest(), 'a', 'three held')
  ring.push('d')
  t.equal(ring.oldest(), 'b', 'the fourth pushes the first out')
  ring.push('e')
  ring.push('f')
  t.equal(ring.oldest(), 'd')
})

t.test('process source: infrastructure facts are the process', async (t) => {
  const source = createProcessSource(ticker(t, 60_000, 6))
  t.equal(source.name, 'process')
  const patch = await source.collect(ctx())
  const infra = patch.infrastructure as Infra
  t.equal(infra.pid, process.pid)
  t.equal(infra.node_version, process.version)
  t.equal(infra.hostname, os.hostname())
  t.ok(typeof infra.uptime_s === 'number' && infra.uptime_s > 0 && infra.uptime_s <= process.uptime())
  const { rss_bytes: rss, heap_used_bytes: used, heap_total_bytes: total } = infra.memory ?? {}
  t.ok(typeof rss === 'number' && rss > 0, `rss ${rss}`)
  t.ok(typeof used === 'number' && used > 0, `heap used ${used}`)
  t.ok(typeof total === 'number' && typeof used === 'number' && total >= used, `heap total ${total}`)
  t.equal(infra.load_avg?.length, 3)
})

t.test('process source: CPU percent above 50 after burning CPU for ~150 ms', async (t) => {
  // A window longer than the test: no tick, so the source's oldest snapshot is the one it took at
  // creation, and the test can measure the same interval itself with process.cpuUsage().
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const source = createProcessSource(ticker(t, 60_000, 2))
  burn(150)
  const cpu = ((await source.collect(ctx())).performance as Perf).cpu_percent
  const used = process.cpuUsage(cpuBefore)
  const got = (used.user + used.system) / 1000 / (performance.now() - wallBefore) * 100
  t.ok(typeof cpu === 'number' && Math.abs(cpu - got) < 10, `cpu_percent ${cpu} agrees with the ${got.toFixed(1)}% measured here`)
  // On a machine busier than its cores (other suites running), the process itself may not get half
  // a core: then "above 50" would be a false alarm, and the agreement above is the real check.
  t.ok(typeof cpu === 'number' && cpu > 50, `cpu_percent ${cpu} after a 150 ms burn`, {
    skip: got < 60 ? `the machine is busy: the process got only ${got.toFixed(1)}% of a core` : false
  })
})

t.test('process source: CPU percent covers the window, not the lifetime', async (t) => {
  const tk = ticker(t, 60, 2)
  const source = createProcessSource(tk)
  burn(150)
  await sleep(250) // several slots of idle: the burn has left the window
  const cpu = ((await source.collect(ctx())).performance as Perf).cpu_percent
  t.ok(typeof cpu === 'number' && cpu >= 0 && cpu < 30, `cpu_percent ${cpu} after the burn left the window`)
})

t.test('event loop source: p99 above 50 ms after blocking the loop ~120 ms; ELU within 0..1', async (t) => {
  const source = createEventLoopSource(ticker(t, 60_000, 6))
  t.teardown(() => source.stop())
  t.equal(source.name, 'event_loop')
  await sleep(50) // some normal samples first
  burn(120)
  await sleep(40) // the delayed sample is recorded when the loop is free again
  const perf = (await source.collect(ctx())).performance as Perf
  t.ok(typeof perf.event_loop_delay_p99_ms === 'number' && perf.event_loop_delay_p99_ms > 50, `p99 ${perf.event_loop_delay_p99_ms} ms`)
  const elu = perf.event_loop_utilization
  t.ok(typeof elu === 'number' && elu > 0 && elu <= 1, `ELU ${elu}`)
  t.ok(typeof elu === 'number' && elu > 0.3, `ELU ${elu} reflects the 120 ms block`)
})

t.test('event loop source: the block leaves the window once both monitors have been reset', async (t) => {
  const tk = ticker(t, 200, 2) // one monitor reset every 100 ms, alternating
  const source = createEventLoopSource(tk)
  t.teardown(() => source.stop())
  // A delay monitor records from its second sample on: block only once both have started.
  await sleep(30)
  burn(120)
  await sleep(40)
  const during = (await source.collect(ctx())).performance as Perf
  t.ok(typeof during.event_loop_delay_p99_ms === 'number' && during.event_loop_delay_p99_ms > 50, `p99 right after: ${during.event_loop_delay_p99_ms}`)
  await sleep(350) // three ticks: both monitors reset since the block
  const after = (await source.collect(ctx())).performance as Perf
  const p99Later = after.event_loop_delay_p99_ms ?? null
  t.ok(p99Later === null || p99Later < 50, `p99 later: ${p99Later}`)
  const elu = after.event_loop_utilization
  t.ok(typeof elu === 'number' && elu >= 0 && elu < 0.5, `ELU later: ${elu}`)
})
