// Issue 9, end to end against Go programs from Debian's packages: node_exporter (a large real
// exposition, an HTML landing page on unknown paths) and the Prometheus server (health at
// /-/healthy, its request histogram named prometheus_http_request_duration_seconds).
import t from 'tap'
import { binBuilt, get, startSidecar } from '../helpers/spawn-sidecar.js'
import { waitFor } from '../helpers/wait-for.js'
import { missingBinary, startNodeExporter, startPrometheus } from '../helpers/ecosystem-apps.js'

const built = binBuilt ? undefined : 'dist/sidecar/bin.js is missing: run npm run build'
const REPORT = '/api/v2/diagnostics/reliability'
const fast = ['--interval-ms', '1000']

interface Report {
  overall_status: string
  metrics: { series_count: number | null }
  services: Array<{ name: string, status: string, critical: boolean, details?: Record<string, unknown> }>
  sources: Record<string, { status: string, error?: string }>
  setup: { detected: Record<string, string | null>, unconfigured: Array<{ path: string, reason: string }> }
}

async function report (base: string): Promise<Report> {
  return JSON.parse((await get(`${base}${REPORT}`)).body) as Report
}

/** `reliability_target_up` on the sidecar's own /metrics. */
async function targetUp (base: string): Promise<number | undefined> {
  const line = (await get(`${base}/metrics`)).body.split('\n').find((l) => l.startsWith('reliability_target_up '))
  return line === undefined ? undefined : Number(line.split(' ')[1])
}

t.test('node_exporter: its whole real exposition is read', { skip: built ?? missingBinary('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter') }, async (t) => {
  const exporter = await startNodeExporter(t)
  const sidecar = await startSidecar(t, ['--target', exporter.url, ...fast, '--health-path', 'off', '--websocket-path', 'off'], { readyTimeoutMs: 60_000 })
  await waitFor('a scrape', async () => (await report(sidecar.base)).sources.metrics.status === 'ok', 30_000)
  const r = await report(sidecar.base)
  t.ok((r.metrics.series_count ?? 0) > 300, `${r.metrics.series_count} series read`)
  t.equal(r.overall_status, 'ok', JSON.stringify(r.sources))
  // Issue 9: with health off it was 0, and the shipped ReliabilityTargetDown alert fired.
  t.equal(await targetUp(sidecar.base), 1, 'target up: its metrics answer')
})

t.test('node_exporter with --target only: ok, its HTML pages are not offered endpoints', { skip: built ?? missingBinary('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter') }, async (t) => {
  const exporter = await startNodeExporter(t)
  const sidecar = await startSidecar(t, ['--target', exporter.url, ...fast], { readyTimeoutMs: 60_000 })
  await waitFor('a scrape, and the app judged by it', async () => {
    const r = await report(sidecar.base)
    return r.sources.metrics.status === 'ok' && r.services[0]?.status === 'ok'
  }, 30_000)
  const r = await report(sidecar.base)
  t.equal(r.overall_status, 'ok', JSON.stringify(r.sources))
  t.equal(r.sources.health.status, 'unconfigured')
  t.equal(r.sources.websocket.status, 'unconfigured')
  t.match(r.setup.detected, { health_path: null, metrics_path: '/metrics', websocket_path: null })
  t.match(r.setup.unconfigured.find((u) => u.path === 'health')?.reason, /^not offered: \/health, .*, \/status answered HTML; probed again every 5 min$/)
  t.same(r.services.map((s) => [s.name, s.status, s.critical, s.details]), [['app', 'ok', true, { based_on: 'metrics', path: '/metrics' }]])
  t.equal(await targetUp(sidecar.base), 1, 'target up: it answers the endpoint it offers')
})

t.test('the Prometheus server with --target only: health found at /-/healthy, ok', { skip: built ?? missingBinary('/usr/bin/prometheus', 'prometheus') }, async (t) => {
  const prometheus = await startPrometheus(t, [])
  const sidecar = await startSidecar(t, ['--target', prometheus.url, ...fast], { readyTimeoutMs: 60_000 })
  await waitFor('a scrape', async () => (await report(sidecar.base)).sources.metrics.status === 'ok', 30_000)
  const r = await report(sidecar.base)
  t.equal(r.overall_status, 'ok', JSON.stringify(r.sources))
  t.equal(r.sources.health.status, 'ok')
  t.equal(r.sources.websocket.status, 'unconfigured')
  t.match(r.setup.detected, { health_path: '/-/healthy', metrics_path: '/metrics', websocket_path: null })
  t.same(r.services.map((s) => [s.name, s.status, s.critical]), [['app', 'ok', true]], 'judged by its own health')
  t.equal(await targetUp(sidecar.base), 1)
})
