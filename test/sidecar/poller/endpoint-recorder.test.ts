import t from 'tap'
import { createEndpointRecorder, endpointProvenance, type EndpointRecord, type Provenance } from '../../../sidecar/poller/endpoint-recorder.js'

const interval = 1000
const now = 1_000_000
// Three intervals: up to this age the last good data is shown; past it, it is stale or gone.
const limit = 3 * interval

const cases: Array<[string, EndpointRecord, Provenance]> = [
  ['no poll has finished yet', {}, { status: 'stale', error: 'no poll has finished yet' }],
  ['the last poll was good, just now', { lastAttemptAt: now, lastGoodAt: now }, { status: 'ok', ageMs: 0 }],
  ['the last poll was good, exactly three intervals ago', { lastAttemptAt: now - limit, lastGoodAt: now - limit }, { status: 'ok', ageMs: limit }],
  ['the last poll was good, more than three intervals ago (poller stalled)', { lastAttemptAt: now - limit - 1, lastGoodAt: now - limit - 1 }, { status: 'stale', ageMs: limit + 1, error: 'no poll for 3 s' }],
  ['the last poll failed, good data younger than three intervals', { lastAttemptAt: now, lastGoodAt: now - interval, lastError: 'boom' }, { status: 'stale', ageMs: interval, error: 'boom' }],
  ['the last poll failed, good data exactly three intervals old', { lastAttemptAt: now, lastGoodAt: now - limit, lastError: 'boom' }, { status: 'stale', ageMs: limit, error: 'boom' }],
  ['the last poll failed, good data older than three intervals', { lastAttemptAt: now, lastGoodAt: now - limit - 1, lastError: 'boom' }, { status: 'error', ageMs: limit + 1, error: 'boom' }],
  ['every poll failed', { lastAttemptAt: now, lastError: 'boom' }, { status: 'error', ageMs: undefined, error: 'boom' }]
]

for (const [name, record, expected] of cases) {
  t.test(name, async (t) => {
    const got = endpointProvenance(record, now, interval)
    t.same(got, expected)
    // `t.same` treats a missing key and an undefined one alike; the error text must not be missing.
    t.equal(got.error, expected.error)
    t.equal(got.status, expected.status)
  })
}

t.test('the stale limit follows the interval', async (t) => {
  const record = { lastAttemptAt: now, lastGoodAt: now - 4000, lastError: 'boom' }
  t.equal(endpointProvenance(record, now, 1000).status, 'error', '4 s is past 3 intervals of 1 s')
  t.equal(endpointProvenance(record, now, 2000).status, 'stale', '4 s is within 3 intervals of 2 s')
})

t.test('createEndpointRecorder: what each poll leaves behind', async (t) => {
  const answer = { statusCode: 200, contentType: 'application/json', body: '{}', lines: ['{}'], durationMs: 3 }
  const coded = Object.assign(new Error('GET /metrics did not complete within 100 ms'), { code: 'RELIABILITY_ERR_UPSTREAM_TIMEOUT' })
  const rec = createEndpointRecorder(interval)

  t.same(rec.provenance(now), { status: 'stale', error: 'no poll has finished yet' }, 'before any poll')

  let read = 0
  t.equal(rec.record({ answer, at: now - 500, durationMs: 3 }, () => { read++ }), undefined, 'a good poll: no failure')
  t.equal(read, 1, 'the answer was read')
  t.same(rec.provenance(now), { status: 'ok', ageMs: 500 })

  const transport = rec.record({ error: coded, at: now - 200, durationMs: 100 }, () => { read++ })
  t.equal(transport, coded, 'a transport failure is returned as is')
  t.equal((transport as { code?: string }).code, 'RELIABILITY_ERR_UPSTREAM_TIMEOUT')
  t.equal(read, 1, 'nothing to read without an answer')
  t.same(rec.provenance(now), { status: 'stale', ageMs: 500, error: coded.message }, 'the last good data, marked stale')

  const bad = Object.assign(new Error('GET /admin/websocket sent a body that could not be read: not valid JSON'), { code: 'RELIABILITY_ERR_INVALID_BODY' })
  const readFailure = rec.record({ answer, at: now - 100, durationMs: 3 }, () => { throw bad })
  t.equal((readFailure as { code?: string }).code, 'RELIABILITY_ERR_INVALID_BODY', 'a body the reader refuses is a failure')
  t.same(rec.provenance(now), { status: 'stale', ageMs: 500, error: bad.message }, 'an answer that could not be read is not good data')
  t.equal(rec.provenance(now + limit).status, 'error', 'past three intervals of the last good poll: error')

  const noError = rec.record({ at: now, durationMs: 1 }, () => {})
  t.ok(noError instanceof Error, 'neither answer nor error still counts as a failure')

  t.equal(rec.record({ answer, at: now, durationMs: 3 }, () => {}), undefined)
  t.same(rec.provenance(now), { status: 'ok', ageMs: 0 }, 'a good poll clears the error')
})
