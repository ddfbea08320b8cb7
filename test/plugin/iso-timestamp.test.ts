import t from 'tap'
import { toIsoTimestamp } from '../../plugin/iso-timestamp.js'

const ISO = '2026-03-01T12:00:00.000Z'
const MS = Date.parse(ISO)

t.test('toIsoTimestamp', async (t) => {
  const cases: Array<[string, unknown, string | null]> = [
    ['ISO', ISO, ISO],
    ['epoch ms', MS, ISO],
    ['epoch 0', 0, '1970-01-01T00:00:00.000Z'],
    ['Date', new Date(MS), ISO],
    ['invalid Date', new Date(NaN), null],
    ['garbage text', 'nope', null],
    ['NaN', NaN, null],
    ['null', null, null],
    ['undefined', undefined, null]
  ]
  for (const [name, input, expected] of cases) t.equal(toIsoTimestamp(input), expected, name)
})
