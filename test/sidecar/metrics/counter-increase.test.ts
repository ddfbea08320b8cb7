import t from 'tap'
import client from 'prom-client'
import { counterIncrease } from '../../../sidecar/metrics/counter-increase.js'
import { parseExposition } from '../../../sidecar/metrics/parse-exposition.js'

t.test('counterIncrease: growth, no growth, reset, missing data', async (t) => {
  const cases: Array<[string, number | undefined, number | undefined, number]> = [
    ['grows', 10, 25, 15],
    ['unchanged', 7, 7, 0],
    ['fractional (CPU seconds)', 1.25, 1.75, 0.5],
    ['reset: lower than before counts from zero', 100, 30, 30],
    ['reset to exactly zero', 100, 0, 0],
    ['no previous scrape', undefined, 5, NaN],
    ['no current scrape', 5, undefined, NaN],
    ['NaN previous', NaN, 5, NaN],
    ['NaN current', 5, NaN, NaN]
  ]
  for (const [name, previous, current, expected] of cases) {
    t.ok(Object.is(counterIncrease(previous, current), expected), `${name}: ${String(expected)}`)
  }
})

t.test('a prom-client counter reset between two scrapes', async (t) => {
  const register = new client.Registry()
  const counter = new client.Counter({ name: 'cache_hits_total', help: 'Hits', registers: [register] })
  counter.inc(40)
  const before = parseExposition(await register.metrics()).value('cache_hits_total')
  counter.reset() // what a restarted process looks like from outside
  counter.inc(6)
  const after = parseExposition(await register.metrics()).value('cache_hits_total')
  t.equal(before, 40)
  t.equal(after, 6)
  t.equal(counterIncrease(before, after), 6, 'the 6 counted since the reset, not -34')
})
