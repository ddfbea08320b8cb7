// Issue 8, items 2 and 3: a token and credentials planted in every kind of source, in the in-app
// plugin and in the sidecar; none may appear anywhere in the report (traces included), the log, or
// the sidecar's /metrics. The report is redacted at one boundary (plugin/redact-report.ts), so these
// tests also cover any section or field added later that carries a source's text.
import t from 'tap'
import type { Test } from 'tap'
import { buildApp } from '../helpers/build-app.js'
import { REPORT, json, noCrash, startHarness, type Handler } from '../helpers/fake-app.js'
import { waitFor } from '../helpers/wait-for.js'
import type { ReliabilityReport } from '../../schemas/report.js'
import type { Source } from '../../plugin/sources/source.js'

const TOKEN = 'tok-PLANTED-7f3a9c2e1b'
const URL_PASSWORD = 'UrlPw-5e8d1c'
const PAIR_PASSWORD = 'PairPw-0b4f7a'
// Values with nothing credential-like about them: only their keys say they are secrets.
const BY_KEY = {
  password: 'KeyPw-a1',
  pass: 'KeyPw-a2',
  dbPass: 'KeyPw-a3',
  db_pwd: 'KeyPw-a4',
  passphrase: 'KeyPw-a5',
  jwt: 'KeyPw-a6',
  sessionId: 'KeyPw-a7',
  accessKey: 'KeyPw-a8',
  dsn: 'KeyPw-a9',
  connectionString: 'KeyPw-b1'
}
const SECRETS = [TOKEN, URL_PASSWORD, PAIR_PASSWORD, ...Object.values(BY_KEY)]

/** Text the way a driver or an upstream would say it: a DSN, a key=value pair, a header, the bare token. */
const planted = (where: string) =>
  `${where}: connect postgres://app:${URL_PASSWORD}@db:5432/orders failed; password=${PAIR_PASSWORD}; sent Bearer ${TOKEN}; raw ${TOKEN}`

function assertClean (t: Test, text: string, where: string): void {
  t.ok(text.length > 0, `${where}: something to look at`)
  for (const secret of SECRETS) t.notOk(text.includes(secret), `${where}: no ${secret}`)
}

t.test('in-app: secrets planted in every kind of source reach neither the report nor the log', async (t) => {
  const withNotes: Source = {
    name: 'planted_notes',
    async collect () { return { notes: [planted('a note')] } }
  }
  const { app, logs } = await buildApp({
    builtinSources: false,
    cacheTtlMs: 0,
    maxStaleMs: 0,
    token: TOKEN,
    extraSources: [withNotes],
    rules: [{
      code: 'ODD_DEFAULT_MODEL',
      severity: 'info',
      message: 'the default model is not the expected one',
      conditions: [{ path: 'model_registry.default_model', op: '!=', value: 'none' }]
    }],
    sources: {
      services: [
        { name: 'db', critical: true, check: async () => { throw new Error(planted('service check')) } },
        {
          name: 'cache',
          check: async () => ({
            status: 'degraded',
            details: { reason: planted('service details'), ...BY_KEY, nested: { url: `postgres://app:${URL_PASSWORD}@db/x`, ...BY_KEY }, list: [planted('details list')] }
          })
        },
        { name: `queue ${planted('check name')}`, check: async () => false }
      ],
      cache: async () => { throw new Error(planted('section source')) },
      ingestion: async () => ({ ingest_latency_ms: planted('wrong shape') }) as never,
      websocket: async () => ({ active_connections: 1, password: planted('undeclared key') }) as never,
      model_registry: async () => ({
        models: [{ name: planted('model name'), version: planted('model version'), status: 'loaded' }],
        default_model: planted('default model')
      })
    }
  })
  t.teardown(() => app.close())
  await app.ready()

  const res = await app.inject({ url: `${REPORT}?include_traces=true`, headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(res.statusCode, 200)
  const report = res.json() as ReliabilityReport
  // The planted text did reach the report, redacted: the test would otherwise prove nothing.
  const db = report.services.find((s) => s.name === 'db')
  t.match(db?.error, /postgres:\/\/\*\*\*@db:5432\/orders failed; password=\*\*\*; sent Bearer \*\*\*; raw \*\*\*/, 'the check error, redacted')
  t.equal(report.sources.cache.status, 'error')
  t.match(report.sources.cache.error, 'postgres://***@db')
  t.ok(report.notes.some((n) => n.startsWith('a note: connect postgres://***@db')), 'a source note, redacted')
  t.ok(report.traces?.some((s) => s.source === 'cache' && s.error?.includes('***')), 'a trace, redacted')
  t.equal(report.anomalies[0]?.code, 'ODD_DEFAULT_MODEL', 'the rule read the default model')
  const details = report.services.find((s) => s.name === 'cache')?.details ?? {}
  t.match(details.reason, 'postgres://***@db')
  for (const key of Object.keys(BY_KEY)) {
    t.notOk(key in details, `details.${key} dropped`)
    t.notOk(key in (details.nested as object), `details.nested.${key} dropped`)
  }

  assertClean(t, res.body, 'report route')
  assertClean(t, JSON.stringify(await app.reliability.report({ includeTraces: true })), 'reliability.report()')
  await app.close()
  assertClean(t, JSON.stringify(logs), 'log')
  t.ok(logs.some((l) => l.source === 'cache' && l.msg === 'source failed'), 'the failing source was logged')
})

t.test('in-app: a huge string from a source is capped, after redaction', async (t) => {
  const { app } = await buildApp({
    builtinSources: false,
    cacheTtlMs: 0,
    maxStaleMs: 0,
    token: TOKEN,
    sources: {
      services: [{ name: 'db', check: async () => { throw new Error('x'.repeat(1_000_000)) } }],
      model_registry: async () => ({ models: [{ name: 'm', version: 'v'.repeat(1_000_000), status: 'loaded' }] })
    }
  })
  t.teardown(() => app.close())
  const res = await app.inject({ url: `${REPORT}?include_traces=true`, headers: { authorization: `Bearer ${TOKEN}` } })
  const report = res.json() as ReliabilityReport
  t.ok(res.body.length < 20_000, `a small report (${res.body.length} bytes)`)
  t.ok((report.services[0].error ?? '').length <= 500, 'an error is capped')
  t.match(report.services[0].error, /x…$/, 'and says it was cut')
  t.equal(report.model_registry.models[0].version.length, 200, 'a value is capped at 200')
})

// ---------------------------------------------------------------------------------------------
// The sidecar: the same secrets in the app's health body, its metrics labels and its websocket
// admin JSON, read over real HTTP.

const healthBody: Handler = json({
  status: 'fail',
  output: planted('health output'),
  checks: {
    'db:connection': [{ status: 'fail', output: planted('check output'), observedValue: planted('observed'), ...BY_KEY, affectedEndpoints: [planted('list item')] }],
    [`postgres://app:${URL_PASSWORD}@db:${TOKEN}`]: [{ status: 'warn', reason: `Bearer ${TOKEN}` }]
  }
}, 503, 'application/health+json')

const metricsBody = (version: string): Handler => (_req, res) => {
  const body = [
    '# TYPE nodejs_version_info gauge',
    `nodejs_version_info{version="${version}",major="20"} 1`,
    '# TYPE process_resident_memory_bytes gauge',
    'process_resident_memory_bytes 64000000',
    ''
  ].join('\n')
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(body) }).end(body)
}

const websocketBody = json({ active_connections: 3, last_broadcast_ts: planted('broadcast'), connection_rate: 1, password: planted('ws') })

t.test('sidecar: secrets planted in the health body, metric labels and websocket JSON reach neither the report, /metrics nor the log', async (t) => {
  const h = await startHarness(t, {
    // Deadlines a loaded machine meets: a timed-out poll would hide the app's own output.
    argv: ['--token', TOKEN, '--interval-ms', '1000', '--timeout-ms', '800'],
    routes: { '/health': healthBody, '/metrics': metricsBody(`v20.1.0 ${planted('label value')}`), '/admin/websocket': websocketBody }
  })
  const auth = { authorization: `Bearer ${TOKEN}` }
  // Read with the token, traces included, until every kind of source has been polled.
  const { res, r } = await waitFor('health checks and the node version read', async () => {
    const res = await h.sidecar.app.inject({ url: `${REPORT}?include_traces=true`, headers: auth })
    const r = res.json() as ReliabilityReport
    return r.services.length >= 3 && r.infrastructure.node_version !== null && h.fake.hits('/admin/websocket') > 0 ? { res, r } : undefined
  }, 20_000, 50)
  t.equal(res.statusCode, 200)
  t.match(r.infrastructure.node_version, /^v20\.1\.0 label value: connect postgres:\/\/\*\*\*@db/, 'the label, redacted')
  const check = r.services.find((s) => s.name === 'app:db:connection')
  t.match(check?.error, 'password=***', 'the check output, redacted')
  t.match(r.services[0].error, 'postgres://***@db', "the app's own output, redacted")
  for (const key of Object.keys(BY_KEY)) t.notOk(key in (check?.details ?? {}), `details.${key} dropped`)

  assertClean(t, res.body, 'report route')
  assertClean(t, (await h.get('/metrics')).body, '/metrics')
  await h.sidecar.drain()
  assertClean(t, JSON.stringify(h.lines), 'log')
  noCrash(t, h)
})

t.test('sidecar: a 1 MB version label is capped and redacted', async (t) => {
  const version = `postgres://admin:${URL_PASSWORD}@db ` + 'v'.repeat(900_000)
  // A megabyte takes more than the harness's 100 ms deadline to arrive on a busy machine.
  const h = await startHarness(t, { routes: { '/metrics': metricsBody(version) }, argv: ['--interval-ms', '2000', '--timeout-ms', '1500'] })
  await waitFor('the version read', async () => (await h.report()).infrastructure.node_version !== null ? true : undefined, 20_000, 100)
  const res = await h.sidecar.app.inject({ url: REPORT, remoteAddress: '127.0.0.1' })
  const r = res.json() as ReliabilityReport
  // Kept at 64 characters when the scrape is read (conventions.ts), then redacted; the report's
  // boundary would cap it at 200 in any case.
  t.ok((r.infrastructure.node_version?.length ?? 0) <= 64, `capped: ${r.infrastructure.node_version?.length} characters`)
  t.match(r.infrastructure.node_version, /^postgres:\/\/\*\*\*@db v+$/)
  t.ok((r.setup.detected.runtime?.length ?? 0) <= 200, 'the detected runtime too')
  t.notOk(r.setup.detected.runtime?.includes(URL_PASSWORD))
  t.ok(res.body.length < 20_000, `a small report (${res.body.length} bytes)`)
  t.notOk(res.body.includes(URL_PASSWORD))
  noCrash(t, h)
})
