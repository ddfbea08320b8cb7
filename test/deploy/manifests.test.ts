import t from 'tap'
import { readFileSync } from 'node:fs'
import { defaultRules } from '../../plugin/rules/default-rules.js'
import { SidecarSettingList, SidecarSettings } from '../../schemas/sidecar-config.js'
import { Candidates } from '../../sidecar/metrics/conventions.js'
import { projectRoot } from '../helpers/project-root.js'

// The deploy/ files read line by line: the package has no YAML parser among its dependencies, and
// these files use only block mappings and sequences, one key per line. `block` takes a line's
// children by indentation, so each assertion looks in the right place, not anywhere in the file.

const root = projectRoot
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')

interface Line { indent: number, text: string }

/** Significant lines: blanks and full-line comments dropped, `- ` kept in the text. */
function linesOf (text: string): Line[] {
  return text.split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }))
}

/** The lines under `lines[at]` (more indented), up to the next sibling or parent. */
function block (lines: Line[], at: number): Line[] {
  if (at < 0) return []
  const out: Line[] = []
  for (const line of lines.slice(at + 1)) {
    if (line.indent <= lines[at].indent) break
    out.push(line)
  }
  return out
}

const unquote = (s: string): string => s.replace(/^(["'])(.*)\1$/, '$2')
const indexOf = (lines: Line[], text: string | RegExp): number =>
  lines.findIndex((l) => typeof text === 'string' ? l.text === text : text.test(l.text))
/** The children of the first line equal to (or matching) `text`. */
const under = (lines: Line[], text: string | RegExp): Line[] => block(lines, indexOf(lines, text))

/** The value of the first `key: value` line among `lines` (any depth), or undefined. */
function valueOf (lines: Line[], key: string): string | undefined {
  const prefix = new RegExp(`^(- )?${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:( |$)`)
  const line = lines.find((l) => prefix.test(l.text))
  return line === undefined ? undefined : unquote(line.text.replace(prefix, '').trim())
}

/** The lines of a `key: |` block scalar, joined by spaces. */
const scalarBlock = (lines: Line[], key: string): string => under(lines, `${key}: |`).map((l) => l.text).join(' ')

/** A list's items: each `- ` line with its children, the dash removed. */
function items (lines: Line[]): Line[][] {
  const out: Line[][] = []
  const indent = lines[0]?.indent
  lines.forEach((line, i) => {
    if (line.indent === indent && line.text.startsWith('- ')) {
      out.push([{ indent: indent + 2, text: line.text.slice(2) }, ...block(lines, i)])
    }
  })
  return out
}

const documents = read('deploy/kubernetes/pod-with-sidecar.yaml').split(/^---$/m).map(linesOf)
const doc = (kind: string): Line[] => documents.find((d) => valueOf(d, 'kind') === kind) ?? []
const deployment = doc('Deployment')
const podSpec = under(under(deployment, 'template:'), 'spec:')
const containers = items(under(podSpec, 'containers:'))
const container = (name: string): Line[] => containers.find((c) => c[0].text === `name: ${name}`) ?? []
const sidecar = container('reliability-sidecar')
const app = container('app')

/** `env:` of a container: value, or `secret:<name>/<key>` for a secretKeyRef. */
function envOf (c: Line[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const entry of items(under(c, 'env:'))) {
    const name = valueOf(entry, 'name') ?? ''
    const ref = under(entry, 'secretKeyRef:')
    out.set(name, ref.length > 0 ? `secret:${valueOf(ref, 'name')}/${valueOf(ref, 'key')}` : valueOf(entry, 'value') ?? '')
  }
  return out
}
const env = envOf(sidecar)
const setting = (name: keyof typeof SidecarSettings): string => env.get(SidecarSettings[name].env) ?? String(SidecarSettings[name].default)

/** A probe's path and port number, a named port resolved through the container's ports. */
function probe (c: Line[], kind: string): { path?: string, port?: number } {
  const get = under(under(c, `${kind}:`), 'httpGet:')
  const port = valueOf(get, 'port') ?? ''
  const named = items(under(c, 'ports:')).find((p) => valueOf(p, 'name') === port)
  return { path: valueOf(get, 'path'), port: Number(named === undefined ? port : valueOf(named, 'containerPort')) }
}

t.test('the pod runs the app and the sidecar, twice', async (t) => {
  t.equal(valueOf(under(deployment, 'spec:'), 'replicas'), '2')
  t.same(containers.map((c) => c[0].text), ['name: app', 'name: reliability-sidecar'])
  t.equal(valueOf(app, 'image'), 'ghcr.io/example/app:1.0.0')
  t.equal(valueOf(sidecar, 'image'), 'ghcr.io/example/fastify-reliability:0.1.0')
  t.equal(valueOf(under(app, 'ports:'), 'containerPort'), '3000')
})

t.test('probes: liveness on /livez, readiness on /health, startup on /readyz, all on the sidecar', async (t) => {
  const port = Number(setting('port'))
  t.equal(port, 9000)
  t.same(probe(sidecar, 'livenessProbe'), { path: '/livez', port })
  t.same(probe(sidecar, 'readinessProbe'), { path: '/health', port })
  t.same(probe(sidecar, 'startupProbe'), { path: '/readyz', port })
  // The app must not be restarted for what the sidecar judges: no probes there.
  t.equal(indexOf(app, /^(liveness|readiness|startup)Probe:$/), -1)
})

t.test('the sidecar is configured by RELIABILITY_* variables it knows', async (t) => {
  const known = new Set(SidecarSettingList.filter((s) => s.sources.includes('env')).map((s) => s.env))
  for (const name of env.keys()) {
    if (name.startsWith('RELIABILITY_')) t.ok(known.has(name), `${name} is a sidecar setting`)
  }
  t.equal(env.get('RELIABILITY_TARGET'), 'http://127.0.0.1:3000')
  t.ok(Number(setting('timeoutMs')) < Number(setting('intervalMs')), 'timeout below the interval')
  t.ok(['down', 'degraded'].includes(setting('failOn')))
})

t.test('the token comes from the example Secret, clearly a placeholder', async (t) => {
  const secret = doc('Secret')
  const name = valueOf(under(secret, 'metadata:'), 'name')
  const value = valueOf(under(secret, 'stringData:'), 'token')
  t.equal(env.get('RELIABILITY_TOKEN'), `secret:${name}/token`)
  t.match(value, /REPLACE-ME/)
  t.match(read('deploy/kubernetes/pod-with-sidecar.yaml'), /^# EXAMPLE ONLY: replace the placeholder/m)
})

t.test('pod settings: no service links, grace above the sidecar\'s', async (t) => {
  t.equal(valueOf(podSpec, 'enableServiceLinks'), 'false')
  const grace = Number(valueOf(podSpec, 'terminationGracePeriodSeconds'))
  t.ok(grace * 1000 > Number(setting('gracePeriodMs')), `${grace} s > ${setting('gracePeriodMs')} ms`)
})

t.test('security: non-root, read-only root, no privilege escalation, no capabilities', async (t) => {
  t.equal(valueOf(under(podSpec, 'securityContext:'), 'runAsNonRoot'), 'true')
  for (const c of [app, sidecar]) {
    const sc = under(c, 'securityContext:')
    t.equal(valueOf(sc, 'readOnlyRootFilesystem'), 'true')
    t.equal(valueOf(sc, 'allowPrivilegeEscalation'), 'false')
    t.equal(valueOf(under(sc, 'capabilities:'), 'drop'), '["ALL"]')
    const resources = under(c, 'resources:')
    t.ok(valueOf(under(resources, 'requests:'), 'memory'), 'memory request')
    t.ok(valueOf(under(resources, 'limits:'), 'memory'), 'memory limit')
  }
})

t.test('Prometheus annotations point at the sidecar\'s port; the Service at the app', async (t) => {
  const annotations = under(under(deployment, 'template:'), 'annotations:')
  t.equal(valueOf(annotations, 'prometheus.io/scrape'), 'true')
  t.equal(valueOf(annotations, 'prometheus.io/port'), setting('port'))
  t.equal(valueOf(annotations, 'prometheus.io/path'), '/metrics')
  const service = doc('Service')
  t.equal(valueOf(under(under(service, 'spec:'), 'selector:'), 'app.kubernetes.io/name'), 'app')
  t.equal(valueOf(under(under(service, 'spec:'), 'ports:'), 'targetPort'), valueOf(under(app, 'ports:'), 'name'))
})

// Alerting rules.

interface Alert { name: string, severity?: string, code?: string, for?: string, expr: string }
const alertGroups = new Map(items(under(linesOf(read('deploy/prometheus/alerts.yaml')), 'groups:')).map((g) => [
  valueOf(g, 'name') ?? '',
  items(under(g, 'rules:')).map((r): Alert => {
    const labels = under(r, 'labels:')
    return { name: valueOf(r, 'alert') ?? '', severity: valueOf(labels, 'severity'), code: valueOf(labels, 'code'), for: valueOf(r, 'for'), expr: scalarBlock(r, 'expr') }
  })
]))
const anomalyAlerts = alertGroups.get('reliability-anomaly-rules') ?? []
const fleetAlerts = alertGroups.get('reliability-fleet') ?? []

t.test('one alert per default rule: same code, same severity', async (t) => {
  t.same(anomalyAlerts.map((a) => a.name), defaultRules.map((r) => r.code))
  for (const rule of defaultRules) {
    const alert = anomalyAlerts.find((a) => a.name === rule.code)
    t.equal(alert?.severity, rule.severity, `${rule.code} severity`)
    t.equal(alert?.code, rule.code, `${rule.code} code label`)
    t.match(alert?.for, /^\d+[smh]$/, `${rule.code} for`)
  }
})

t.test('each alert compares against each of its rule\'s thresholds', async (t) => {
  for (const rule of defaultRules) {
    const expr = anomalyAlerts.find((a) => a.name === rule.code)?.expr ?? ''
    for (const c of rule.conditions) t.ok(expr.includes(`${c.op} ${String(c.value)}`), `${rule.code}: ${c.op} ${String(c.value)} in ${expr}`)
  }
  // The figures of SPEC §3, should the rules and the alerts ever drift together.
  const figures: Record<string, string[]> = {
    HIGH_CPU: ['> 85'],
    HIGH_P95_LATENCY: ['> 1500', '0.95'],
    SLOW_INGEST: ['> 5000'],
    LOW_CACHE_HIT_RATE: ['< 0.2', '> 100', 'increase('],
    NO_ACTIVE_EDGES: ['== 0', '< 300', 'time() -']
  }
  for (const [code, needles] of Object.entries(figures)) {
    const expr = anomalyAlerts.find((a) => a.name === code)?.expr ?? ''
    for (const needle of needles) t.ok(expr.includes(needle), `${code}: ${needle}`)
  }
})

t.test('alerts read the metrics the sidecar reads', async (t) => {
  const exprOf = (code: string): string => anomalyAlerts.find((a) => a.name === code)?.expr ?? ''
  const uses: Array<[string, string]> = [
    // The first names the sidecar's detection tries (sidecar/metrics/conventions.ts).
    ['HIGH_CPU', `rate(${Candidates.cpu[0].metric}`],
    ['HIGH_P95_LATENCY', `${Candidates.request[0]}_bucket`],
    ['LOW_CACHE_HIT_RATE', Candidates.cacheHits],
    ['LOW_CACHE_HIT_RATE', Candidates.cacheMisses],
    // No default names: the ones the pod example configures.
    ['SLOW_INGEST', env.get(SidecarSettings.ingestLatencyMetric.env) ?? '?'],
    ['NO_ACTIVE_EDGES', env.get(SidecarSettings.activeEdgesMetric.env) ?? '?'],
    ['NO_ACTIVE_EDGES', env.get(SidecarSettings.lastIngestMetric.env) ?? '?']
  ]
  for (const [code, metric] of uses) t.ok(exprOf(code).includes(metric), `${code} reads ${metric}`)
})

t.test('fleet alerts on the sidecars\' own metrics', async (t) => {
  const exprs = fleetAlerts.map((a) => a.expr)
  for (const needle of [
    'reliability_overall_status{status="down"} == 1',
    'reliability_target_up == 0',
    'reliability_anomaly_firing == 1',
    'up{job=~".*reliability.*"} == 0'
  ]) t.ok(exprs.some((e) => e.includes(needle)), needle)
  t.ok(fleetAlerts.find((a) => a.expr.includes('reliability_anomaly_firing'))?.expr.includes('by (namespace, job, code, severity)'), 'grouped by code')
  for (const alert of fleetAlerts) t.match(alert.for, /^\d+[smh]$/, `${alert.name} for`)
  const names = [...anomalyAlerts, ...fleetAlerts].map((a) => a.name)
  t.equal(new Set(names).size, names.length, 'alert names are unique')
})

t.test('scrape config: the sidecar job keeps port 9000 of the sidecar container', async (t) => {
  const jobs = items(under(linesOf(read('deploy/prometheus/scrape-config.yaml')), 'scrape_configs:'))
  const job = jobs.find((j) => valueOf(j, 'job_name') === 'reliability-sidecar') ?? []
  t.equal(valueOf(under(job, 'kubernetes_sd_configs:'), 'role'), 'pod')
  t.equal(valueOf(job, 'metrics_path'), '/metrics')
  const keep = items(under(job, 'relabel_configs:')).find((r) => valueOf(r, 'action') === 'keep' && valueOf(r, 'regex')?.includes(';'))
  t.equal(valueOf(keep ?? [], 'regex'), `reliability-sidecar;${setting('port')}`)
  // `up{job=~".*reliability.*"}` must mean the sidecars, and only them.
  for (const j of jobs) {
    const name = valueOf(j, 'job_name') ?? ''
    t.equal(/reliability/.test(name), name === 'reliability-sidecar', `job ${name}`)
  }
  // HIGH_CPU leaves the sidecars' own process metrics out by this job name.
  t.match(anomalyAlerts.find((a) => a.name === 'HIGH_CPU')?.expr, 'job!="reliability-sidecar"')
})
