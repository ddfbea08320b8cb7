// B9 (issue 10.6): does the sidecar fit the pod it ships in? The built sidecar runs with the
// Kubernetes example's own settings (interval, timeout, NODE_OPTIONS, read from
// deploy/kubernetes/pod-with-sidecar.yaml) against the ~1 MB exposition of B7, and its RSS is read
// from /proc five times a second through the polls: the peak, and the steady level (median of the
// second half). Baseline: a bare Fastify process. The target: the manifest's memory limit at least
// 25 % above the peak.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { row, type BenchContext, type FigureSet } from './lib/figure.js'
import { rssBytes } from './lib/proc-stat.js'
import { spawnNode, stopChild, type ServerChild } from './lib/spawn-server.js'
import { freePort, startTargetAndBare } from './lib/sidecar-rig.js'

const sidecarBin = fileURLToPath(new URL('../sidecar/bin.js', import.meta.url))
const manifestPath = fileURLToPath(new URL('../../deploy/kubernetes/pod-with-sidecar.yaml', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MB = 1024 * 1024

/** What the manifest gives the sidecar container: its memory limit and its settings. */
export function manifestSidecar (yaml: string): { limitMiB: number, env: Map<string, string> } {
  const start = yaml.indexOf('- name: reliability-sidecar')
  if (start === -1) throw new Error('no reliability-sidecar container in the manifest')
  const section = yaml.slice(start)
  const limits = /limits:\s*\n(?:\s+cpu: \S+\s*\n)?\s+memory: (\d+)Mi/.exec(section)
  if (limits === null) throw new Error('no memory limit for the sidecar in the manifest')
  const env = new Map<string, string>()
  for (const m of section.matchAll(/- name: ([A-Z_]+)\n\s+value: "?([^"\n]+)"?/g)) env.set(m[1], m[2])
  return { limitMiB: Number(limits[1]), env }
}

export async function runB9 (ctx: BenchContext): Promise<FigureSet> {
  const { limitMiB, env } = manifestSidecar(readFileSync(manifestPath, 'utf8'))
  const intervalMs = Number(env.get('RELIABILITY_INTERVAL_MS') ?? 5000)
  const polls = ctx.quick ? 4 : 36
  const servers: ServerChild[] = []
  const { target, bare } = await startTargetAndBare()
  servers.push(target, bare)
  const port = await freePort()
  const nodeOptions = (env.get('NODE_OPTIONS') ?? '').split(' ').filter(Boolean)
  // The manifest's settings, as it passes them; only where to find the target and to listen differ.
  const sidecar = spawnNode(sidecarBin, [
    '--target', target.url, '--host', '127.0.0.1', '--port', String(port),
    '--interval-ms', String(intervalMs), '--timeout-ms', env.get('RELIABILITY_TIMEOUT_MS') ?? '2000',
    '--failure-threshold', env.get('RELIABILITY_FAILURE_THRESHOLD') ?? '3', '--log-level', 'silent'
  ], { execArgv: nodeOptions })
  const scrapes = async () => (await (await fetch(target.url + '/bench/scrapes')).json() as { scrapes: number, bytes: number })
  try {
    const pid = sidecar.pid!
    const samples: number[] = []
    const base = (await scrapes()).scrapes
    const started = Date.now()
    while ((await scrapes()).scrapes < base + polls) {
      samples.push(rssBytes(pid) / MB)
      await sleep(200)
      if (Date.now() - started > (polls + 4) * intervalMs + 30_000) throw new Error('the sidecar stopped polling')
    }
    const second = samples.slice(Math.floor(samples.length / 2))
    const sorted = [...second].sort((a, b) => a - b)
    const steady = sorted[Math.floor(sorted.length / 2)]
    const peak = Math.max(...samples)
    const bareRss = rssBytes(bare.pid) / MB
    const { bytes } = await scrapes()
    const headroom = limitMiB / peak
    ctx.log(`B9 ${polls} polls at ${intervalMs} ms: peak ${peak.toFixed(1)} MiB, steady ${steady.toFixed(1)} MiB, limit ${limitMiB} MiB`)
    return {
      id: 'B9',
      title: `sidecar RSS with the Kubernetes example's settings (every ${intervalMs} ms, ${nodeOptions.join(' ') || 'no NODE_OPTIONS'}), ${(bytes / 1e6).toFixed(2)} MB exposition`,
      rows: [
        row({ what: 'RSS', variant: 'bare Fastify (baseline)', unit: 'MiB', samples: [bareRss] }),
        row({ what: 'RSS steady', variant: `sidecar, second half of ${polls} polls`, unit: 'MiB', samples: second, baseline: { name: 'bare Fastify', samples: [bareRss] } }),
        row({
          what: 'RSS peak',
          variant: `sidecar, ${samples.length} samples`,
          unit: 'MiB',
          samples: [peak],
          target: `manifest limit ${limitMiB} MiB ≥ 1.25 × peak`,
          judge: 'median',
          check: () => headroom >= 1.25,
          note: `limit / peak = ${headroom.toFixed(2)}`
        })
      ],
      facts: { intervalMs, polls, limitMiB, nodeOptions, samples: samples.length, peakMiB: peak, steadyMiB: steady, bareRssMiB: bareRss, expositionBytes: bytes }
    }
  } finally {
    await stopChild(sidecar)
    await Promise.all(servers.map((s) => s.stop()))
  }
}
