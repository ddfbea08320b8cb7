import t from 'tap'
import { createLatencyRecorder } from '../../../plugin/builtins/latency-recorder.js'

/** A clock in ms the test moves by hand (the recorder's default is performance.now()). */
function clock (start = 1_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => { now += ms } }
}

/** Within the histogram's 2 significant figures: 1%. */
function near (t: { ok(value: unknown, message: string): unknown }, actual: number | null, expected: number, name: string) {
  t.ok(actual !== null && Math.abs(actual - expected) <= expected * 0.01, `${name}: ${actual} ≈ ${expected}`)
}

function record (recorder: ReturnType<typeof createLatencyRecorder>, n: number, ms: number, status = 200) {
  for (let i = 0; i < n; i++) recorder.record(ms, status)
}

t.test('a known mix: 90 at 10 ms, 9 at 100 ms, 1 at 1000 ms', async (t) => {
  const c = clock()
  const recorder = createLatencyRecorder(6, c.now)
  record(recorder, 90, 10)
  record(recorder, 9, 100)
  record(recorder, 1, 1000)
  c.advance(20_000)
  const { latency, requestsPerSecond, errorRate } = recorder.read()
  t.equal(latency.count, 100)
  near(t, latency.p50, 10, 'p50')
  near(t, latency.p95, 100, 'p95')
  near(t, latency.p99, 100, 'p99')
  t.equal(requestsPerSecond, 5, '100 requests over 20 s of the injected clock')
  t.equal(errorRate, 0)
})

t.test('p99 sees the slow tail when it is over 1%', async (t) => {
  const recorder = createLatencyRecorder(6, clock().now)
  record(recorder, 95, 10)
  record(recorder, 5, 1000)
  near(t, recorder.read().latency.p99, 1000, 'p99')
  near(t, recorder.read().latency.p95, 10, 'p95')
})

t.test('sub-millisecond and very long responses', async (t) => {
  const recorder = createLatencyRecorder(2, clock().now)
  record(recorder, 10, 0.25)
  near(t, recorder.read().latency.p50, 0.25, 'a quarter millisecond')
  const zero = createLatencyRecorder(2, clock().now)
  zero.record(0, 200)
  t.equal(zero.read().latency.count, 1, 'a zero duration is still a request')
  const long = createLatencyRecorder(2, clock().now)
  long.record(5 * 3_600_000, 200)
  t.equal(long.read().latency.count, 1, 'over the histogram range: clamped, not thrown')
  near(t, long.read().latency.p50, 3_600_000, 'clamped to one hour')
})

t.test('errorRate counts 5xx only: 499 is not an error, 500 is', async (t) => {
  const cases: Array<[string, number[], number | null]> = [
    ['no requests', [], null],
    ['all 2xx', [200, 201, 204], 0],
    ['4xx are not errors', [400, 404, 499], 0],
    ['500 is', [499, 500], 0.5],
    ['a mix', [200, 302, 404, 500, 502, 503, 599, 200], 0.5]
  ]
  for (const [name, statuses, expected] of cases) {
    const recorder = createLatencyRecorder(3, clock().now)
    for (const status of statuses) recorder.record(5, status)
    t.equal(recorder.read().errorRate, expected, name)
  }
})

t.test('empty window: percentiles null, count 0, errorRate null', async (t) => {
  const c = clock()
  const recorder = createLatencyRecorder(4, c.now)
  t.strictSame(recorder.read(), {
    latency: { p50: null, p95: null, p99: null, count: 0 },
    requestsPerSecond: null,
    errorRate: null
  }, 'no time has passed: no rate either')
  c.advance(10_000)
  t.equal(recorder.read().requestsPerSecond, 0, 'time passed with no request: a rate of 0')
})

t.test('rotation: data stays for slots - 1 rotations and is gone after slots rotations', async (t) => {
  const c = clock()
  const recorder = createLatencyRecorder(3, c.now)
  record(recorder, 10, 10, 500)
  c.advance(10_000)
  recorder.rotate()
  record(recorder, 5, 100)
  c.advance(10_000)
  recorder.rotate()
  let window = recorder.read()
  t.equal(window.latency.count, 15, 'both slots still in the window')
  t.equal(window.errorRate, 10 / 15)
  near(t, window.latency.p50, 10, 'p50 with both slots')

  c.advance(10_000)
  recorder.rotate() // the third rotation reuses the first slot
  window = recorder.read()
  t.equal(window.latency.count, 5, 'the first slot is gone')
  t.equal(window.errorRate, 0, 'and its errors with it')
  near(t, window.latency.p50, 100, 'p50 of what is left')

  recorder.rotate()
  recorder.rotate()
  t.equal(recorder.read().latency.count, 0, 'after slots rotations with no traffic, nothing')
  t.equal(recorder.read().latency.p99, null)
})

t.test('requestsPerSecond: from the oldest slot in the window to now, on the injected clock', async (t) => {
  const c = clock()
  const recorder = createLatencyRecorder(3, c.now)
  for (let slot = 0; slot < 3; slot++) {
    record(recorder, 30, 1)
    c.advance(10_000)
    if (slot < 2) recorder.rotate()
  }
  t.equal(recorder.read().requestsPerSecond, 3, '90 requests over 30 s')
  recorder.rotate() // drops the first 30 requests and the first 10 s
  t.equal(recorder.read().requestsPerSecond, 3, '60 requests over 20 s')
  c.advance(10_000)
  t.equal(recorder.read().requestsPerSecond, 2, '60 requests over 30 s')
})

t.test('a fresh recorder only counts the time it has lived, not a whole window', async (t) => {
  const c = clock()
  const recorder = createLatencyRecorder(6, c.now)
  record(recorder, 10, 1)
  c.advance(2_000)
  t.equal(recorder.read().requestsPerSecond, 5)
})

t.test('the default clock is performance.now()', async (t) => {
  const recorder = createLatencyRecorder(2)
  recorder.record(1, 200)
  await new Promise((resolve) => setTimeout(resolve, 20))
  const rps = recorder.read().requestsPerSecond
  t.ok(rps !== null && rps > 0 && rps <= 1 / 0.015, `one request over ~20 ms: ${rps}`)
})
