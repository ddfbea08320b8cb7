import t from 'tap'
import { createPointRing } from '../../../plugin/history/point-ring.js'

const paths = ['performance.cpu_percent', 'cache.hit_rate']

t.test('points come back oldest first, column by column, nulls kept as null', async (t) => {
  const ring = createPointRing(paths, 10)
  t.equal(ring.newestAt(), undefined)
  ring.push({ at: 1000, status: 'ok', figures: [12.5, null], anomalies: [] })
  ring.push({ at: 2000, status: 'degraded', figures: [90, 0.5], anomalies: ['HIGH_CPU'] })
  t.same(ring.read(2000, 60_000), {
    timestamp: [1000, 2000],
    status: ['ok', 'degraded'],
    anomalies: [[], ['HIGH_CPU']],
    figures: { 'performance.cpu_percent': [12.5, 90], 'cache.hit_rate': [null, 0.5] }
  })
  t.equal(ring.newestAt(), 2000)
})

t.test('a full ring drops its oldest point; reading applies the age limit', async (t) => {
  const ring = createPointRing(paths, 3)
  for (let i = 1; i <= 5; i++) ring.push({ at: i * 1000, status: 'ok', figures: [i, i / 10], anomalies: [] })
  t.same(ring.read(5000, 60_000).timestamp, [3000, 4000, 5000], 'capacity 3 keeps the newest three')
  t.same(ring.read(5000, 1000).timestamp, [4000, 5000], 'older than 1 s at 5 s: dropped from the view')
  t.same(ring.read(5000, 1000).figures['performance.cpu_percent'], [4, 5])
})

t.test('a run of points firing the same codes shares one list; a change makes a new one', async (t) => {
  const ring = createPointRing(paths, 4)
  const codes = ['HIGH_CPU']
  ring.push({ at: 1, status: 'degraded', figures: [1, 1], anomalies: codes })
  codes.push('MUTATED_AFTER') // the ring copied what it was given
  ring.push({ at: 2, status: 'degraded', figures: [1, 1], anomalies: ['HIGH_CPU'] })
  ring.push({ at: 3, status: 'ok', figures: [1, 1], anomalies: [] })
  t.same(ring.read(3, 10).anomalies, [['HIGH_CPU'], ['HIGH_CPU'], []])
})

t.test('bytes: 8 per figure, 8 for the time, 1 for the status, 8 for the codes reference, per point', async (t) => {
  t.equal(createPointRing(paths, 720).bytes, 720 * (8 * 2 + 8 + 1 + 8))
})
