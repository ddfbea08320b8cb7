// The in-app example end to end: the plugin's report route fed by the example's real sources.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildInAppExample } from '../../examples/in-app.js'

const path = '/api/v2/diagnostics/reliability'

t.test('the report shows every configured source ok with real figures', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'reliability-in-app-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const app = await buildInAppExample({ dataDir, cacheTtlMs: 0, ingestIntervalMs: 50 })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 }) // the self-tcp check connects to this port

  for (const id of ['1', '2', '1', '1']) t.equal((await app.inject(`/items/${id}`)).statusCode, 200)
  const classified = (await app.inject('/classify?text=The parcel arrived broken&model=sentiment')).json()
  t.same(classified, { model: 'sentiment', version: '1.4.0', label: 'negative' })
  // Batch 9 of the feed carries a truncated line: wait for it. The deadline is a hang guard only:
  // a busy machine reaches batch 9 later, not never (issue 10).
  const deadline = Date.now() + 60_000
  let report = (await app.inject(path)).json()
  while (report.ingestion.recent_failures < 1 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    report = (await app.inject(path)).json()
  }

  for (const name of ['services', 'cache', 'ingestion', 'model_registry']) {
    t.equal(report.sources[name].status, 'ok', `${name} is ok`)
  }
  t.equal(report.sources.edge_engine.status, 'unconfigured')
  t.same(report.services.map((s: { name: string, status: string, critical: boolean }) => [s.name, s.status, s.critical]), [
    ['data-dir', 'ok', true],
    ['self-tcp', 'ok', false]
  ])
  for (const s of report.services) t.type(s.latency_ms, 'number')
  t.same(report.cache, { hits: 2, misses: 2, operations: 4, hit_rate: 0.5 })
  t.ok(Date.now() - Date.parse(report.ingestion.last_ingest_ts) < 2000, 'a recent ingest')
  t.type(report.ingestion.ingest_latency_ms, 'number')
  t.ok(report.ingestion.recent_failures >= 1, 'the truncated batch counted as a failure')
  t.equal(report.model_registry.default_model, 'sentiment')
  t.same(report.model_registry.models.map((m: { name: string, version: string, status: string }) => [m.name, m.version, m.status]), [
    ['sentiment', '1.4.0', 'loaded'],
    ['topic', '0.9.2', 'loaded']
  ])
  for (const m of report.model_registry.models) t.ok(Date.now() - Date.parse(m.loaded_at) < 10_000, `${m.name} loaded_at is when it loaded`)
  t.equal(report.overall_status, 'ok')

  const health = await app.inject('/health')
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'pass' })
})

t.test('a missing data directory makes the critical service down', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'reliability-in-app-'))
  const app = await buildInAppExample({ dataDir, cacheTtlMs: 0 })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  await rm(dataDir, { recursive: true, force: true })
  const report = (await app.inject(path)).json()
  t.equal(report.services[0].name, 'data-dir')
  t.equal(report.services[0].status, 'down')
  t.match(report.services[0].error, /ENOENT/)
  t.equal(report.overall_status, 'down')
  t.equal((await app.inject('/health')).statusCode, 503)
})
