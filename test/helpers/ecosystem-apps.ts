// Real apps of other ecosystems for the sidecar's end-to-end tests (issue 9), from Debian's packages
// that .ci/run installs: our FastAPI app (python3-fastapi, -uvicorn, -prometheus-client), the
// Prometheus server (a Go target, and the reference for rate() and histogram_quantile()), and
// node_exporter (a large real exposition). Each start waits for the process's own readiness line,
// never for a deadline; each child is killed in teardown. `missing*()` says why a test must skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './spawn-sidecar.js'
import { projectPath } from './project-root.js'

interface Teardown { teardown: (fn: () => void | Promise<void>) => void }

// Debian's interpreter, not whichever python3 is first on PATH: the packages are installed for it.
const python = '/usr/bin/python3'
const fastApiScript = projectPath('test/e2e/apps/fastapi_app.py')

export interface EcosystemApp {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process wrote so far, both streams. */
  output(): string
}

/** Why the FastAPI app cannot run here, or undefined when it can. */
export function missingFastApi (): string | undefined {
  if (!existsSync(python)) return `${python} is not installed`
  const probe = spawnSync(python, ['-c', 'import fastapi, uvicorn, prometheus_client'], { encoding: 'utf8' })
  return probe.status === 0 ? undefined : `python3-fastapi, python3-uvicorn or python3-prometheus-client is missing: ${probe.stderr.trim().split('\n').pop() ?? ''}`
}

export function missingBinary (path: string, pkg: string): string | undefined {
  return existsSync(path) ? undefined : `${path} is missing (Debian package ${pkg})`
}

/**
 * Spawns `command` and resolves once a line of its output matches `ready`; rejects if the process
 * exits first. The guard only turns a hang into a failure with the output attached.
 */
async function spawnUntilReady (t: Teardown, command: string, args: readonly string[], ready: RegExp, what: string): Promise<{ child: ChildProcess, line: RegExpExecArray, output: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let output = ''
  const line = await new Promise<RegExpExecArray>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`${what} wrote no readiness line in 60 s:\n${output}`)), 60_000)
    const onData = (chunk: string) => {
      output += chunk
      const match = ready.exec(output)
      if (match) { clearTimeout(guard); resolve(match) }
    }
    child.stdout?.setEncoding('utf8').on('data', onData)
    child.stderr?.setEncoding('utf8').on('data', onData)
    child.once('exit', (code, signal) => { clearTimeout(guard); reject(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${output}`)) })
  })
  return { child, line, output: () => output }
}

/** Our FastAPI app (test/e2e/apps/fastapi_app.py) on a free port of 127.0.0.1, or on `port` (a restart where the sidecar looks). */
export async function startFastApiApp (t: Teardown, port?: number): Promise<EcosystemApp> {
  const args = port === undefined ? [fastApiScript] : [fastApiScript, String(port)]
  const { child, line, output } = await spawnUntilReady(t, python, args, /\{"ready": true, "port": (\d+)\}/, 'the FastAPI app')
  return { url: `http://127.0.0.1:${line[1]}`, child, output }
}

/** node_exporter on a free port of 127.0.0.1. */
export async function startNodeExporter (t: Teardown): Promise<EcosystemApp> {
  const port = await freePort()
  const { child, output } = await spawnUntilReady(t, '/usr/bin/prometheus-node-exporter',
    [`--web.listen-address=127.0.0.1:${port}`], /Listening on/, 'node_exporter')
  return { url: `http://127.0.0.1:${port}`, child, output }
}

export interface PrometheusServer extends EcosystemApp {
  /** One instant query (at `at`, epoch ms, else now); its single sample's value, or null when empty. */
  query(promql: string, at?: number): Promise<number | null>
  /** The raw samples of a range-vector selector (`metric[20s]`) at `at`: [epoch ms, value] pairs of its single series. */
  samples(selector: string, at?: number): Promise<Array<[number, number]>>
}

/**
 * The Prometheus server on a free port of 127.0.0.1, its data in a temporary folder, scraping
 * `targets` (host:port) every `scrapeIntervalS` seconds.
 */
export async function startPrometheus (t: Teardown, targets: readonly string[], scrapeIntervalS = 1): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'reliability-prometheus-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const config = {
    global: { scrape_interval: `${scrapeIntervalS}s`, scrape_timeout: `${scrapeIntervalS}s`, evaluation_interval: '15s' },
    scrape_configs: [{ job_name: 'app', static_configs: [{ targets }] }]
  }
  // JSON is YAML: no YAML writer needed.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config))
  const port = await freePort()
  const { child, output } = await spawnUntilReady(t, '/usr/bin/prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`
  ], /Server is ready to receive web requests/, 'prometheus')
  const url = `http://127.0.0.1:${port}`
  async function instant<T> (promql: string, at: number | undefined): Promise<T[]> {
    const time = at === undefined ? '' : `&time=${at / 1000}`
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}${time}`)
    const body = await res.json() as { status: string, data?: { result: T[] }, error?: string }
    if (body.status !== 'success') throw new Error(`prometheus: ${promql}: ${body.error ?? res.status}`)
    return body.data?.result ?? []
  }
  return {
    url,
    child,
    output,
    async query (promql, at) {
      const [sample] = await instant<{ value: [number, string] }>(promql, at)
      return sample === undefined ? null : Number(sample.value[1])
    },
    async samples (selector, at) {
      const [series] = await instant<{ values: Array<[number, string]> }>(selector, at)
      return (series?.values ?? []).map(([t, v]) => [Math.round(t * 1000), Number(v)])
    }
  }
}
