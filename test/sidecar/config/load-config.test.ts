import t from 'tap'
import { loadConfig, type LoadConfigInput } from '../../../sidecar/config/load-config.js'
import { SidecarSettingList, SidecarSettings, type SidecarSettingName } from '../../../schemas/sidecar-config.js'

// One valid, non-default value per setting, as typed on a command line and as found in JSON.
const samples: Record<Exclude<SidecarSettingName, 'config' | 'help'>, [string, unknown]> = {
  target: ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  targetName: ['orders', 'orders'],
  port: ['9100', 9100],
  host: ['127.0.0.1', '127.0.0.1'],
  intervalMs: ['7000', 7000],
  timeoutMs: ['1500', 1500],
  cacheTtlMs: ['2500', 2500],
  windowMs: ['120000', 120000],
  failureThreshold: ['5', 5],
  successThreshold: ['2', 2],
  healthPath: ['/healthz', '/healthz'],
  metricsPath: ['/prom', '/prom'],
  websocketPath: ['/ws/admin', '/ws/admin'],
  maxBodyBytes: ['2048', 2048],
  maxSeries: ['1000', 1000],
  gracePeriodMs: ['3000', 3000],
  drainDelayMs: ['1500', 1500],
  token: ['tkn-1', 'tkn-1'],
  failOn: ['degraded', 'degraded'],
  logLevel: ['debug', 'debug'],
  cpuMetric: ['app_cpu_seconds_total', 'app_cpu_seconds_total'],
  startTimeMetric: ['app_start_time_seconds', 'app_start_time_seconds'],
  memoryMetric: ['app_rss_bytes', 'app_rss_bytes'],
  heapUsedMetric: ['app_heap_used_bytes', 'app_heap_used_bytes'],
  heapTotalMetric: ['app_heap_total_bytes', 'app_heap_total_bytes'],
  eventLoopLagMetric: ['app_lag_seconds', 'app_lag_seconds'],
  requestDurationMetric: ['app_request_seconds', 'app_request_seconds'],
  statusCodeLabel: ['code', 'code'],
  cacheHitsMetric: ['app_cache_hits_total', 'app_cache_hits_total'],
  cacheMissesMetric: ['app_cache_misses_total', 'app_cache_misses_total'],
  activeEdgesMetric: ['edges_active', 'edges_active'],
  edgesCreatedMetric: ['edges_created_total', 'edges_created_total'],
  lastEdgeCreatedMetric: ['edges_last_created_seconds', 'edges_last_created_seconds'],
  ingestLatencyMetric: ['ingest_latency_seconds', 'ingest_latency_seconds'],
  lastIngestMetric: ['ingest_last_seconds', 'ingest_last_seconds'],
  ingestFailuresMetric: ['ingest_failures_total', 'ingest_failures_total'],
  wsActiveConnectionsField: ['open', 'open'],
  wsLastBroadcastField: ['last', 'last'],
  wsConnectionRateField: ['rate', 'rate'],
  checkConfig: ['true', true]
}
const sampled = Object.keys(samples) as Array<keyof typeof samples>

t.test('every setting but --config and --help has a sample', async (t) => {
  const names = SidecarSettingList.map((s) => s.name).filter((n) => n !== 'config' && n !== 'help')
  t.same(names.sort(), [...sampled].sort())
})

t.test('defaults (SPEC §8)', async (t) => {
  const c = await loadConfig({ argv: [], env: {} })
  t.same(c, {
    target: null,
    targetName: 'app',
    port: 9000,
    host: '0.0.0.0',
    intervalMs: 5000,
    timeoutMs: 2000,
    cacheTtlMs: 5000,
    windowMs: 60000,
    failureThreshold: 3,
    successThreshold: 1,
    // Discovered among the common paths (SPEC §6, issue 9).
    healthPath: 'auto',
    metricsPath: 'auto',
    websocketPath: 'auto',
    maxBodyBytes: 1048576,
    maxSeries: 50000,
    gracePeriodMs: 10000,
    drainDelayMs: 0,
    token: null,
    failOn: 'down',
    logLevel: 'info',
    cpuMetric: null,
    startTimeMetric: null,
    memoryMetric: null,
    heapUsedMetric: null,
    heapTotalMetric: null,
    eventLoopLagMetric: null,
    requestDurationMetric: null,
    statusCodeLabel: null,
    cacheHitsMetric: null,
    cacheMissesMetric: null,
    activeEdgesMetric: null,
    edgesCreatedMetric: null,
    lastEdgeCreatedMetric: null,
    ingestLatencyMetric: null,
    lastIngestMetric: null,
    ingestFailuresMetric: null,
    wsActiveConnectionsField: 'active_connections',
    wsLastBroadcastField: 'last_broadcast_ts',
    wsConnectionRateField: 'connection_rate',
    config: null,
    checkConfig: false,
    help: false
  })
})

t.test('the result is frozen', async (t) => {
  const c = await loadConfig({ argv: [], env: {} })
  t.ok(Object.isFrozen(c))
  t.throws(() => { (c as { port: number }).port = 1 }, TypeError)
  t.equal(c.port, 9000)
})

t.test('each setting from a flag alone, both spellings', async (t) => {
  for (const name of sampled) {
    const [text, value] = samples[name]
    const flag = SidecarSettings[name].flag
    const spaced = await loadConfig({ argv: name === 'checkConfig' ? [flag] : [flag, text], env: {} })
    t.same(spaced[name], value, `${flag} value`)
    const joined = await loadConfig({ argv: [`${flag}=${text}`], env: {} })
    t.same(joined[name], value, `${flag}=value`)
  }
})

t.test('each setting from the environment alone', async (t) => {
  for (const name of sampled) {
    const [text, value] = samples[name]
    const c = await loadConfig({ argv: [], env: { [SidecarSettings[name].env]: text } })
    t.same(c[name], value, SidecarSettings[name].env)
  }
})

t.test('each setting from the config file alone', async (t) => {
  for (const name of sampled.filter((n) => SidecarSettings[n].sources.includes('file'))) {
    const dir = t.testdir({ 'c.json': JSON.stringify({ [name]: samples[name][1] }) })
    const c = await loadConfig({ argv: ['--config', `${dir}/c.json`], env: {} })
    t.same(c[name], samples[name][1], name)
    t.equal(c.config, `${dir}/c.json`)
  }
})

t.test('the config file path from the environment', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ port: 9200 }) })
  const c = await loadConfig({ argv: [], env: { RELIABILITY_CONFIG: `${dir}/c.json` } })
  t.equal(c.port, 9200)
})

t.test('precedence: flags > env > file > defaults, key by key', async (t) => {
  const dir = t.testdir({
    'c.json': JSON.stringify({ port: 1001, intervalMs: 6000, windowMs: 70000, failureThreshold: 4 })
  })
  const c = await loadConfig({
    argv: ['--config', `${dir}/c.json`, '--port', '1003'],
    env: { RELIABILITY_PORT: '1002', RELIABILITY_INTERVAL_MS: '6500', RELIABILITY_SUCCESS_THRESHOLD: '2' }
  })
  t.equal(c.port, 1003, 'flag over env and file')
  t.equal(c.intervalMs, 6500, 'env over file')
  t.equal(c.windowMs, 70000, 'file over default')
  t.equal(c.failureThreshold, 4, 'file over default')
  t.equal(c.successThreshold, 2, 'env over default')
  t.equal(c.timeoutMs, 2000, 'default')
})

t.test('the --config flag wins over RELIABILITY_CONFIG', async (t) => {
  const dir = t.testdir({ 'a.json': '{"port": 1}', 'b.json': '{"port": 2}' })
  const c = await loadConfig({ argv: ['--config', `${dir}/a.json`], env: { RELIABILITY_CONFIG: `${dir}/b.json` } })
  t.equal(c.port, 1)
})

t.test('a bad value overridden by a higher source is not an error', async (t) => {
  const c = await loadConfig({ argv: ['--port', '9001'], env: { RELIABILITY_PORT: 'tcp://10.0.0.1:9000' } })
  t.equal(c.port, 9001)
})

t.test('cacheTtlMs follows the interval unless set', async (t) => {
  t.equal((await loadConfig({ argv: ['--interval-ms', '8000'], env: {} })).cacheTtlMs, 8000)
  t.equal((await loadConfig({ argv: ['--interval-ms', '8000', '--cache-ttl-ms', '100'], env: {} })).cacheTtlMs, 100)
})

// Issue 8, item 9: `--interval-ms 1000` alone used to exit 2, the default timeout (2000) not being
// below it. Like Prometheus's unset scrape_timeout, an unset timeout now follows a short interval.
t.test('an unset timeoutMs is 2000, or 80 % of a shorter interval; a set one is kept', async (t) => {
  const cases: Array<[string, LoadConfigInput, number]> = [
    ['default interval', { argv: [], env: {} }, 2000],
    ['interval 1000', { argv: ['--interval-ms', '1000'], env: {} }, 800],
    ['interval 2500: 80 % is 2000', { argv: ['--interval-ms', '2500'], env: {} }, 2000],
    ['interval 2499', { argv: ['--interval-ms', '2499'], env: {} }, 1999],
    ['interval 2600', { argv: ['--interval-ms', '2600'], env: {} }, 2000],
    ['the shortest interval', { argv: ['--interval-ms', '100'], env: {} }, 80],
    ['interval 101, rounded down', { argv: ['--interval-ms', '101'], env: {} }, 80],
    ['interval from the environment', { argv: [], env: { RELIABILITY_INTERVAL_MS: '1200' } }, 960],
    ['interval from the file', { argv: ['--config', 'v.json'], env: {}, readFile: async () => '{"intervalMs": 400}' }, 320],
    ['a set timeout wins', { argv: ['--interval-ms', '1000', '--timeout-ms', '900'], env: {} }, 900],
    ['a set timeout in the file wins', { argv: ['--config', 'v.json', '--interval-ms', '1000'], env: {}, readFile: async () => '{"timeoutMs": 999}' }, 999]
  ]
  for (const [name, input, timeoutMs] of cases) {
    const c = await loadConfig(input)
    t.equal(c.timeoutMs, timeoutMs, name)
  }
})

t.test('an explicit timeout not below the interval is an error naming both settings', async (t) => {
  for (const argv of [['--interval-ms', '1000', '--timeout-ms', '1000'], ['--interval-ms', '1000', '--timeout-ms', '2000']]) {
    const err = await loadConfig({ argv, env: {} }).then(() => undefined, (e) => e)
    t.equal(err?.code, 'RELIABILITY_ERR_INVALID_CONFIG', argv.join(' '))
    t.match(err?.message, /^invalid setting "timeoutMs \(--timeout-ms\)": must be below intervalMs \(--interval-ms\)/)
  }
})

t.test('the longest interval is accepted, and the plugin takes what it derives', async (t) => {
  const max = SidecarSettings.intervalMs.schema.maximum as number
  const c = await loadConfig({ argv: ['--interval-ms', String(max)], env: {} })
  t.equal(c.intervalMs, max)
  t.equal(c.cacheTtlMs, max)
  const err = await loadConfig({ argv: ['--interval-ms', String(max + 1)], env: {} }).then(() => undefined, (e) => e)
  t.equal(err?.code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(err?.message, /^invalid setting "intervalMs \(--interval-ms\)"/)
})

t.test('paths may be off, from every source', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ websocketPath: 'off', metricsPath: false }) })
  const c = await loadConfig({
    argv: ['--config', `${dir}/c.json`, '--health-path', 'off'],
    env: { RELIABILITY_METRICS_PATH: 'off' }
  })
  t.equal(c.healthPath, null)
  t.equal(c.metricsPath, null)
  t.equal(c.websocketPath, null)
  const fileOnly = await loadConfig({ argv: ['--config', `${dir}/c.json`], env: {} })
  t.equal(fileOnly.metricsPath, null, 'false in the file disables it')
  t.equal(fileOnly.healthPath, 'auto')
})

t.test('paths may be auto (discovered), from every source, as well as explicit (issue 9)', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ websocketPath: 'auto', metricsPath: '/prom' }) })
  const c = await loadConfig({
    argv: ['--config', `${dir}/c.json`, '--health-path', 'auto'],
    env: { RELIABILITY_METRICS_PATH: 'auto' }
  })
  t.same([c.healthPath, c.metricsPath, c.websocketPath], ['auto', 'auto', 'auto'], 'the environment over the file')
  const fileOnly = await loadConfig({ argv: ['--config', `${dir}/c.json`], env: {} })
  t.equal(fileOnly.metricsPath, '/prom', 'an explicit path is kept as given')
})

t.test('null in the config file means none: a path off, no token, no metric', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ healthPath: null, token: null, activeEdgesMetric: null }) })
  const c = await loadConfig({ argv: ['--config', `${dir}/c.json`], env: {} })
  t.equal(c.healthPath, null)
  t.equal(c.token, null)
  t.equal(c.activeEdgesMetric, null)
})

t.test('booleans are coerced strictly', async (t) => {
  t.equal((await loadConfig({ argv: ['--check-config=false'], env: {} })).checkConfig, false)
  t.equal((await loadConfig({ argv: [], env: { RELIABILITY_CHECK_CONFIG: '1' } })).checkConfig, true)
  t.equal((await loadConfig({ argv: [], env: { RELIABILITY_CHECK_CONFIG: '0' } })).checkConfig, false)
})

t.test('a target with credentials is accepted as given', async (t) => {
  const c = await loadConfig({ argv: ['--target', 'https://user:pa55@app.internal:8443/base'], env: {} })
  t.equal(c.target, 'https://user:pa55@app.internal:8443/base')
})

t.test('--help reads nothing else and returns defaults', async (t) => {
  let read = 0
  const c = await loadConfig({
    argv: ['--help'],
    env: { RELIABILITY_PORT: 'nope', RELIABILITY_CONFIG: '/nowhere.json' },
    readFile: async () => { read++; return '{}' }
  })
  t.equal(c.help, true)
  t.equal(c.port, 9000)
  t.equal(read, 0)
  t.equal((await loadConfig({ argv: ['-h'], env: {} })).help, true)
})

t.test('the config file goes through readFile when given', async (t) => {
  const paths: string[] = []
  const c = await loadConfig({
    argv: ['--config', 'virtual.json'],
    env: {},
    readFile: async (p) => { paths.push(p); return '\uFEFF{"targetName": "billing"}' }
  })
  t.same(paths, ['virtual.json'])
  t.equal(c.targetName, 'billing', 'a byte-order mark is tolerated')
})

t.test('drainDelayMs must be below gracePeriodMs (a drain that outlasts the grace is cut short)', async (t) => {
  const err = await loadConfig({ argv: ['--drain-delay-ms', '10000', '--grace-period-ms', '10000'], env: {} }).then(() => undefined, (e) => e)
  t.equal(err?.code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(err?.message, /drainDelayMs \(--drain-delay-ms\)/)
  const ok = await loadConfig({ argv: ['--drain-delay-ms', '5000'], env: {} })
  t.equal(ok.drainDelayMs, 5000)
})
