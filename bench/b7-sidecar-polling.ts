// B7: the built sidecar (dist/sidecar/bin.js) polling a target that serves the ~1 MB exposition:
// CPU per poll and RSS over many polls (from /proc, so measuring costs the sidecar nothing), then
// its /health under 200 connections while it keeps polling, beside a bare Fastify process.
import { fileURLToPath } from 'node:url'
import { alternateRounds } from './lib/alternate-rounds.js'
import { row, type BenchContext, type FigureSet } from './lib/figure.js'
import { load } from './lib/load.js'
import { cpuMs, rssBytes } from './lib/proc-stat.js'
import { profileArgs } from './lib/profile-args.js'
import { spawnNode, stopChild, type ServerChild } from './lib/spawn-server.js'
import { freePort, startTargetAndBare } from './lib/sidecar-rig.js'

const sidecarBin = fileURLToPath(new URL('../sidecar/bin.js', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MB = 1024 * 1024

/** The first sample of a gauge in a Prometheus exposition (the sidecar's own /metrics). */
async function gauge (base: string, name: string): Promise<number> {
  const text = await (await fetch(base + '/metrics')).text()
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'))
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1))
}

async function waitFor (url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await sleep(100)
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`)
}

export async function runB7 (ctx: BenchContext): Promise<FigureSet> {
  // Sped-up polling: 600 polls (the issue's "10 minutes' worth" at 1 s) take ~2.5 min at 200 ms.
  // The window shrinks by the same factor, so it holds as many scrapes as 60 s does at 1 s: the
  // report's cost per poll grows with the scrapes in the window.
  const intervalMs = 200
  const windowMs = 60_000 * intervalMs / 1000
  const polls = ctx.quick ? 20 : 600
  const segments = 4
  const healthRounds = ctx.quick ? 2 : 3
  const healthS = ctx.quick ? 0.5 : 5
  const servers: ServerChild[] = []
  const { target, bare } = await startTargetAndBare()
  servers.push(target, bare)
  const port = await freePort()
  const sidecar = spawnNode(sidecarBin, [
    '--target', target.url, '--host', '127.0.0.1', '--port', String(port),
    '--interval-ms', String(intervalMs), '--timeout-ms', String(intervalMs - 20), '--window-ms', String(windowMs),
    '--websocket-path', 'off', '--log-level', 'silent', '--max-body-bytes', String(4 * MB)
  ], { execArgv: profileArgs(ctx, 'b7-sidecar') })
  const sidecarUrl = `http://127.0.0.1:${port}`
  const scrapes = async () => (await (await fetch(target.url + '/bench/scrapes')).json() as { scrapes: number, bytes: number })
  try {
    await waitFor(sidecarUrl + '/readyz', 20000)
    const pid = sidecar.pid!
    const base = (await scrapes()).scrapes
    while ((await scrapes()).scrapes < base + 3) await sleep(50) // warm-up polls
    const cpu: number[] = []
    const rss: number[] = []
    const heap: number[] = []
    let done = (await scrapes()).scrapes
    let cpuAt = cpuMs(pid)
    const started = Date.now()
    for (let s = 1; s <= segments; s++) {
      const goal = done + polls / segments
      while ((await scrapes()).scrapes < goal) await sleep(intervalMs / 2)
      const now = cpuMs(pid)
      const reached = (await scrapes()).scrapes
      cpu.push((now - cpuAt) / (reached - done))
      rss.push(rssBytes(pid) / MB)
      // Live heap, from the sidecar's own /metrics (read after the CPU figure, so its cost lands in
      // the next segment: a few ms against a segment's hundreds of polls): RSS is heap plus GC slack.
      heap.push(await gauge(sidecarUrl, 'nodejs_heap_size_used_bytes') / MB)
      ctx.log(`B7 ${reached - base} polls: ${cpu[cpu.length - 1].toFixed(1)} CPU ms/poll, RSS ${rss[rss.length - 1].toFixed(1)} MB, heap used ${heap[heap.length - 1].toFixed(1)} MB`)
      cpuAt = now
      done = reached
    }
    const pollingS = (Date.now() - started) / 1000
    const bareRss = rssBytes(bare.pid) / MB
    const { bytes } = await scrapes()
    const failures = await (await fetch(sidecarUrl + '/metrics')).text()
    const failed = failures.split('\n').filter((l) => l.startsWith('reliability_poll_failures_total{')).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)

    const urls = { 'bare Fastify /health': bare.url + '/health', 'sidecar /health': sidecarUrl + '/health' }
    let bad = 0
    const rps = new Map<string, number[]>()
    const health = await alternateRounds(Object.entries(urls).map(([name, url]) => ({
      name,
      run: async () => {
        // Flat out: each of the 200 connections sends its next request when the last is answered.
        // (autocannon's rate limit fires all connections on one tick: bursts of 200 at once.)
        const r = await load({ url, connections: 200, duration: healthS })
        bad += r.bad
        rps.set(name, [...(rps.get(name) ?? []), r.rps])
        return r.p99
      }
    })), { rounds: healthRounds, onRun: (v, r) => ctx.log(`B7 round ${r + 1}/${healthRounds} ${v}`) })
    const growth = rss[rss.length - 1] - rss[Math.floor(segments / 2) - 1]
    return {
      id: 'B7',
      title: `sidecar polling a ${(bytes / 1e6).toFixed(2)} MB exposition every ${intervalMs} ms`,
      rows: [
        row({ what: 'CPU per poll', variant: `sidecar, ${polls} polls in ${segments}`, unit: 'ms', samples: cpu, target: '≤ 20 ms', check: (m) => m <= 20 }),
        row({ what: 'RSS', variant: 'bare Fastify (baseline)', unit: 'MB', samples: [bareRss] }),
        row({
          what: 'RSS',
          variant: `sidecar, after each ${polls / segments} polls`,
          unit: 'MB',
          samples: rss,
          baseline: { name: 'bare Fastify', samples: [bareRss] },
          target: '≤ bare + 40 MB, not growing',
          judge: 'median',
          check: () => rss[rss.length - 1] <= bareRss + 40 && growth <= 5,
          note: `last − bare = ${(rss[rss.length - 1] - bareRss).toFixed(1)} MB; second half growth ${growth.toFixed(1)} MB`
        }),
        row({ what: 'heap used', variant: `sidecar, after each ${polls / segments} polls`, unit: 'MB', samples: heap }),
        row({ what: '/health p99, 200 connections', variant: 'bare Fastify (baseline)', unit: 'ms', samples: health.get('bare Fastify /health')! }),
        row({
          what: '/health p99, 200 connections',
          variant: 'sidecar, while polling',
          unit: 'ms',
          samples: health.get('sidecar /health')!,
          baseline: { name: 'bare Fastify', samples: health.get('bare Fastify /health')! },
          target: '≤ 5 ms',
          judge: 'median',
          check: (m) => m <= 5,
          note: 'closed loop, so p99 is bounded below by 200 / throughput (Little\'s law)'
        }),
        row({ what: '/health req/s, 200 connections', variant: 'bare Fastify (baseline)', unit: 'req/s', samples: rps.get('bare Fastify /health')! }),
        row({ what: '/health req/s, 200 connections', variant: 'sidecar, while polling', unit: 'req/s', samples: rps.get('sidecar /health')!, baseline: { name: 'bare Fastify', samples: rps.get('bare Fastify /health')! } })
      ],
      facts: { intervalMs, windowMs, pollsMeasured: polls, pollingS, pollFailures: failed, expositionBytes: bytes, bareRssMB: bareRss, rssMB: rss, heapUsedMB: heap, cpuMsPerPoll: cpu, healthS, healthRounds, badResponses: bad }
    }
  } finally {
    await stopChild(sidecar)
    await Promise.all(servers.map((s) => s.stop()))
  }
}
