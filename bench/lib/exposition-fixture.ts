// A prom-client exposition of the size the issue names (~1 MB, ~6 MB): prom-client's default
// metrics plus one request histogram labelled by method, route and status code, thousands of
// series, as fastify-metrics would write it for a large API. Values come from a seeded generator.
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { seededRandom, type Random } from './seeded-random.js'

export interface FixtureSize {
  readonly routes: number
  readonly methods: readonly string[]
  readonly statuses: readonly string[]
}

export const histogramName = 'http_request_duration_seconds'
// 600 labelled series give ~1 MB (under the sidecar's default 1 MiB body cap), 3,600 give ~6 MB.
export const sizes = {
  '1 MB': { routes: 50, methods: ['GET', 'POST', 'PUT', 'DELETE'], statuses: ['200', '404', '500'] },
  '6 MB': { routes: 300, methods: ['GET', 'POST', 'PUT', 'DELETE'], statuses: ['200', '404', '500'] }
} as const satisfies Record<string, FixtureSize>

export interface ExpositionFixture {
  /** Labelled series of the request histogram: what a correct parser must find. */
  readonly series: number
  /** Records `perSeries` more observations on every series (so the next text differs). */
  observe(perSeries: number): void
  /** The exposition now, as a flat string (as a body decoded off a socket would be). */
  text(): Promise<string>
}

/**
 * A later scrape of `text`, cheaply: `k` more requests under the smallest bucket of every request
 * series (each bucket, `_count` and `_sum` grow by k, so the histograms stay cumulative and valid).
 * prom-client takes about a second to write 6 MB; this takes a few tens of ms.
 */
export function laterScrape (text: string, k: number): string {
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (!line.startsWith(histogramName)) continue
    const cut = line.lastIndexOf(' ')
    const value = Number(line.slice(cut + 1))
    const sum = line.startsWith('_sum', histogramName.length)
    lines[i] = line.slice(0, cut + 1) + String(sum ? value + k * 0.001 : value + k)
  }
  return Buffer.from(lines.join('\n'), 'utf8').toString('utf8')
}

function routeName (i: number): string {
  return `/api/v2/resource-${String(i).padStart(4, '0')}/:id`
}

export function createExpositionFixture (size: FixtureSize, seed = 42): ExpositionFixture {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const histogram = new Histogram({
    name: histogramName,
    help: 'request duration in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry]
  })
  const random: Random = seededRandom(seed)
  const labelSets: Array<{ method: string, route: string, status_code: string }> = []
  for (let r = 0; r < size.routes; r++) {
    for (const method of size.methods) {
      for (const status of size.statuses) labelSets.push({ method, route: routeName(r), status_code: status })
    }
  }
  const fixture: ExpositionFixture = {
    series: labelSets.length,
    observe (perSeries) {
      for (const labels of labelSets) {
        // Log-uniform between 1 ms and ~3 s: every bucket gets some counts.
        for (let i = 0; i < perSeries; i++) histogram.observe(labels, 0.001 * Math.exp(random() * 8))
      }
    },
    async text () {
      return Buffer.from(await registry.metrics(), 'utf8').toString('utf8')
    }
  }
  fixture.observe(3)
  return fixture
}
