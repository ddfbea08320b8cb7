// B10: what the status page weighs (issue 11): the bytes of GET <path>/ui as the plugin serves it,
// and gzipped (the plugin does not compress; a host's @fastify/compress or a proxy would), with the
// part of each piece (markup, style, each script) for context; then what one refresh of the page
// reads (the report and a full hour of history, 720 points of this process's real figures). Exact
// figures, not samples: one request says it all.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { createReliabilityPlugin } from '../plugin/reliability-plugin.js'
import { PAGE_SCRIPTS } from '../plugin/ui/status-page.js'
import { row, type BenchContext, type FigureSet } from './lib/figure.js'

const PAGE_GZIP_TARGET = 16 * 1024

export async function runB10 (ctx: BenchContext): Promise<FigureSet> {
  let now = Date.parse('2026-01-01T00:00:00Z')
  const app = Fastify({ logger: false })
  await app.register(createReliabilityPlugin({ clock: () => now }), { historyMs: 3_600_000, historyPoints: 720 })
  try {
    // A full hour at one report every 5 s, the page's default refresh.
    for (let i = 0; i < 720; i++) {
      now += 5000
      await app.reliability.refresh()
    }
    const report = (await app.inject('/api/v2/diagnostics/reliability')).rawPayload
    const history = (await app.inject('/api/v2/diagnostics/reliability/history')).rawPayload
    const refresh = report.length + history.length
    const refreshGzip = gzipSync(report).length + gzipSync(history).length
    const res = await app.inject('/api/v2/diagnostics/reliability/ui')
    if (res.statusCode !== 200) throw new Error(`the page answered ${res.statusCode}`)
    const body = res.rawPayload
    const gzip = gzipSync(body).length
    const gzip9 = gzipSync(body, { level: 9 }).length
    // The pieces as files, beside the compiled plugin (the build copies them there).
    const dir = new URL('../plugin/ui/page/', import.meta.url)
    const pieces = Object.fromEntries(['status-page.html', 'status-page.css', ...PAGE_SCRIPTS].map((f) => [f, readFileSync(new URL(f, dir)).length]))
    ctx.log(`B10 page ${body.length} B, ${gzip} B gzipped`)
    return {
      id: 'B10',
      title: 'status page payload (GET <path>/ui)',
      rows: [
        row({ what: 'status page', variant: 'as served', unit: 'B', samples: [body.length] }),
        row({ what: 'status page', variant: 'gzip (level 6)', unit: 'B', samples: [gzip], target: `≤ ${PAGE_GZIP_TARGET / 1024} KiB`, check: (b) => b <= PAGE_GZIP_TARGET }),
        row({ what: 'one refresh', variant: 'report + 720-point history', unit: 'B', samples: [refresh] }),
        row({ what: 'one refresh', variant: 'gzip (level 6)', unit: 'B', samples: [refreshGzip] })
      ],
      facts: { gzipLevel9: gzip9, pieces, cspBytes: String(res.headers['content-security-policy']).length, reportBytes: report.length, historyBytes: history.length }
    }
  } finally {
    await app.close()
  }
}
