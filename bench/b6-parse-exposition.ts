// B6: parsing a prom-client exposition of ~1 MB and ~6 MB with our parser, against a lower bound
// (split lines, lastIndexOf(' '), parseFloat: no labels, no structure) and parse-prometheus-text-
// format. Each parser runs in a child of its own (servers/parse-child.ts), asked in turn, A B C A B C.
// Each round parses texts no parser saw before (first scrape), then the same again as repeat scrapes:
// ours with its series cache holding the scrape before each text, as the sidecar parses.
// Also: how many series of the labelled request histogram each parser found.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseExposition } from '../sidecar/metrics/parse-exposition.js'
import { alternateRounds } from './lib/alternate-rounds.js'
import { createExpositionFixture, sizes } from './lib/exposition-fixture.js'
import { pairedRatios, row, type BenchContext, type FigureSet, type Row } from './lib/figure.js'
import { serverScript, stopChild, track } from './lib/spawn-server.js'

interface Speeds { first: number, repeat: number | null, found: number | null, bytes: number, cacheHits: number | null }

const names = { ours: 'ours', 'lower-bound': 'lower bound', npm: 'parse-prometheus-text-format' } as const
type Name = keyof typeof names
const parserNames = Object.keys(names) as Name[]

function next<T> (child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`parse child exited with ${code}`))
    child.once('exit', onExit)
    child.once('message', (msg) => { child.off('exit', onExit); resolve(msg as T) })
  })
}

export async function runB6 (ctx: BenchContext): Promise<FigureSet> {
  const rounds = ctx.quick ? 3 : 8
  const rows: Row[] = []
  const facts: Record<string, unknown> = { rounds, clock: 'CPU time of the parsing process (user + system, GC threads included)' }
  const dir = mkdtempSync(join(tmpdir(), 'reliability-bench-'))
  const children = new Map<Name, ChildProcess>()
  try {
    const labels = Object.keys(sizes) as Array<keyof typeof sizes>
    const fixtures = labels.map((label) => createExpositionFixture(sizes[label]))
    const args: string[] = []
    const sampleLines: number[] = []
    for (const [i, label] of labels.entries()) {
      const text = await fixtures[i].text()
      sampleLines.push(parseExposition(text).seriesCount)
      const file = join(dir, `exposition-${i}.txt`)
      writeFileSync(file, text)
      // Several texts per measurement, so one scavenge is not the whole figure.
      args.push(file, String(label === '1 MB' ? (ctx.quick ? 4 : 10) : (ctx.quick ? 1 : 2)))
    }
    for (const name of parserNames) {
      children.set(name, track(fork(serverScript('parse-child.js'), [name, String(rounds), ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })))
    }
    for (const name of parserNames) await next(children.get(name)!)

    for (const [i, label] of labels.entries()) {
      const series = fixtures[i].series
      ctx.log(`B6 ${label}: ${sampleLines[i]} sample lines, ${series} labelled histogram series`)
      const repeat = new Map<Name, number[]>()
      const found = new Map<Name, number | null>()
      let bytes = 0
      let cacheHits: number | null = null
      const first = await alternateRounds(parserNames.map((name) => ({
        name,
        run: async (round: number) => {
          const child = children.get(name)!
          const answer = next<Speeds>(child)
          child.send({ fixture: i, round })
          const { first, repeat: again, found: seen, bytes: size, cacheHits: hits } = await answer
          found.set(name, seen)
          if (hits !== null) cacheHits = hits
          bytes = size
          if (again !== null) repeat.set(name, [...(repeat.get(name) ?? []), again])
          return first
        }
      })), { rounds, onRun: (v, r) => ctx.log(`B6 ${label} round ${r + 1}/${rounds} ${v}`) })

      const npm = first.get('npm')!
      const lb = first.get('lower-bound')!
      const ours = first.get('ours')!
      const oursAgain = repeat.get('ours')!
      const oursFound = found.get('ours')
      const npmFound = found.get('npm')
      const what = `${label} first scrape`
      rows.push(
        row({ what, variant: 'lower bound', unit: 'MB/cpu-s', samples: lb }),
        row({ what, variant: names.npm, unit: 'MB/cpu-s', samples: npm, note: `found ${String(npmFound)} of ${series} labelled series` }),
        row({
          what,
          variant: 'ours vs npm parser',
          unit: 'MB/cpu-s',
          samples: ours,
          baseline: { name: names.npm, samples: npm },
          target: '≥ 10× npm, all series',
          check: (ratio) => ratio >= 10 && oursFound === series,
          note: `found ${String(oursFound)} of ${series} labelled series`
        }),
        row({ what, variant: 'ours vs lower bound', unit: 'MB/cpu-s', samples: ours, baseline: { name: 'lower bound', samples: lb } }),
        row({
          what: `${label} repeat scrape`,
          variant: 'ours vs lower bound',
          unit: 'MB/cpu-s',
          samples: oursAgain,
          baseline: { name: 'lower bound (first)', samples: lb },
          target: '≥ 0.25× lower bound',
          check: (ratio) => ratio >= 0.25,
          note: `series cache: ${String(cacheHits)} of ${sampleLines[i]} lines per scrape answered from it`
        })
      )
      facts[label] = {
        bytes,
        sampleLines: sampleLines[i],
        labelledHistogramSeries: series,
        seriesFound: { ours: oursFound, npm: npmFound },
        cacheHitsPerRepeatScrape: cacheHits,
        oursOverNpmPerRound: pairedRatios(ours, npm),
        repeatOverLowerBoundPerRound: pairedRatios(oursAgain, lb),
        lowerBoundRepeat: repeat.get('lower-bound')
      }
    }
  } finally {
    await Promise.all([...children.values()].map((c) => stopChild(c)))
    rmSync(dir, { recursive: true, force: true })
  }
  return { id: 'B6', title: 'Prometheus exposition parse speed and correctness', rows, facts }
}
