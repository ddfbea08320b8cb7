import t from 'tap'
import { createSectionSource, userSectionNames, type UserSectionName } from '../../../plugin/sources/section-source.js'
import type { SourceContext } from '../../../plugin/sources/source.js'
import { silentLog } from '../../helpers/silent-log.js'

const ctx = (): SourceContext => ({ signal: new AbortController().signal, now: () => 0, log: silentLog() })
const ISO = '2026-03-01T12:00:00.000Z'
const MS = Date.parse(ISO)

// createSectionSource's second argument is typed per section; these tests feed it anything on purpose.
const sectionSource = (name: UserSectionName, value: unknown) =>
  createSectionSource(name, (() => value) as never)

t.test('garbage values are SOURCE_INVALID, never a section', async (t) => {
  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'all good'],
    ['an array', [1, 2]],
    ['a number', 42],
    ['a boolean', true],
    ['hits as a string', { hits: 'x' }],
    ['hit_rate NaN', { hit_rate: NaN }],
    ['misses Infinity', { misses: Infinity }],
    ['operations as an object', { operations: { n: 1 } }]
  ]
  for (const [name, value] of garbage) {
    await t.rejects(sectionSource('cache', value).collect(ctx()), { code: 'RELIABILITY_ERR_SOURCE_INVALID' }, name)
  }
})

t.test('each of the five sections: a good value becomes its patch, a bad one is SOURCE_INVALID', async (t) => {
  const cases: Record<UserSectionName, { good: unknown, bad: unknown }> = {
    cache: { good: { hits: 8, misses: 2 }, bad: { hits: '8' } },
    edge_engine: { good: { active_edges: 3, edges_per_min_rate: 1.5 }, bad: { active_edges: 'three' } },
    ingestion: { good: { ingest_latency_ms: 120, recent_failures: 0 }, bad: { recent_failures: [0] } },
    websocket: { good: { active_connections: 12, connection_rate: 0.2 }, bad: { active_connections: NaN } },
    model_registry: {
      good: { models: [{ name: 'ranker', version: '3', status: 'loaded', loaded_at: ISO }], default_model: 'ranker' },
      bad: { models: [{ name: 'ranker', status: 'loaded' }] }
    }
  }
  t.same(Object.keys(cases).sort(), [...userSectionNames].sort(), 'every user section is covered')
  for (const name of userSectionNames) {
    const source = sectionSource(name, cases[name].good)
    t.equal(source.name, name)
    t.same(await source.collect(ctx()), { [name]: cases[name].good }, `${name}: good`)
    await t.rejects(sectionSource(name, cases[name].bad).collect(ctx()), { code: 'RELIABILITY_ERR_SOURCE_INVALID' }, `${name}: bad`)
  }
})

t.test('an empty object is a valid (empty) patch; nulls are kept as "not measured"', async (t) => {
  t.same(await sectionSource('cache', {}).collect(ctx()), { cache: {} })
  t.same(await sectionSource('cache', { hits: null, misses: 4 }).collect(ctx()), { cache: { hits: null, misses: 4 } })
})

t.test('timestamps: ISO, epoch ms and Date become ISO; an invalid string and null become null', async (t) => {
  const keys: Array<[UserSectionName, string]> = [
    ['edge_engine', 'last_edge_created_ts'],
    ['ingestion', 'last_ingest_ts'],
    ['websocket', 'last_broadcast_ts']
  ]
  const inputs: Array<[string, unknown, string | null]> = [
    ['ISO text', ISO, ISO],
    ['ISO text without millis, with an offset', '2026-03-01T13:00:00+01:00', ISO],
    ['epoch ms', MS, ISO],
    ['Date', new Date(MS), ISO],
    ['an invalid string', 'yesterday-ish', null],
    ['null', null, null]
  ]
  for (const [section, key] of keys) {
    for (const [label, input, expected] of inputs) {
      const patch = await sectionSource(section, { [key]: input }).collect(ctx()) as Record<string, Record<string, unknown>>
      t.equal(patch[section][key], expected, `${section}.${key} from ${label}`)
    }
    const without = await sectionSource(section, {}).collect(ctx()) as Record<string, Record<string, unknown>>
    t.notOk(key in without[section], `${section}: an absent timestamp stays absent`)
  }
})

t.test('the section function gets the context and may be sync or async; its rejection passes through', async (t) => {
  const context = ctx()
  let seen: SourceContext | undefined
  const source = createSectionSource('websocket', async (c) => { seen = c; return { active_connections: 1 } })
  t.same(await source.collect(context), { websocket: { active_connections: 1 } })
  t.equal(seen, context)
  const failing = createSectionSource('cache', async () => { throw Object.assign(new Error('redis'), { code: 'E_REDIS' }) })
  await t.rejects(failing.collect(context), { code: 'E_REDIS' })
})
