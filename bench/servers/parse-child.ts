// B6's measuring child (not a server): one parser in a process of its own, so no parser pays for
// another's garbage, and process.cpuUsage() is that parser's CPU alone. Reads the exposition the
// parent wrote, makes its later scrapes, and answers IPC messages `{ round }` with MB per CPU-second
// for the round's texts parsed as a first scrape, and as repeat scrapes: each text parsed the way
// the sidecar parses its next scrape, with our parser's series cache holding the scrape before it
// (same series, other values). Parsers without such a cache parse the same texts again.
// `node parse-child.js <ours|lower-bound|npm> <rounds> <file> <texts per round> [<file> <texts per round>]...`
import { readFileSync } from 'node:fs'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { parseExposition } from '../../sidecar/metrics/parse-exposition.js'
import { SeriesCache } from '../../sidecar/metrics/series-cache.js'
import type { Exposition } from '../../sidecar/metrics/exposition.js'
import { histogramName, laterScrape } from '../lib/exposition-fixture.js'

/** The least any parser must do: find each sample's value. */
function lowerBound (text: string): number {
  const lines = text.split('\n')
  let sum = 0
  for (const line of lines) {
    if (line === '' || line.charCodeAt(0) === 35) continue
    sum += parseFloat(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

const parsers: Record<string, (text: string) => unknown> = {
  ours: (text) => parseExposition(text),
  'lower-bound': lowerBound,
  npm: (text) => parsePrometheusTextFormat(text)
}

/** Labelled series of the request histogram in a parse result; null for the lower bound. */
function seriesFound (result: unknown): number | null {
  if (name === 'ours') return (result as Exposition).histogram(histogramName)?.series.size ?? 0
  if (name === 'npm') return (result as ReturnType<typeof parsePrometheusTextFormat>).find((f) => f.name === histogramName)?.metrics.length ?? 0
  return null
}

let sink: unknown
/** MB per CPU-second over parsing every text once (this process: the parser and V8's GC threads). */
function speed (parse: (text: string) => unknown, texts: readonly string[], bytes: number): number {
  const before = process.cpuUsage()
  for (const text of texts) sink = parse(text)
  const { user, system } = process.cpuUsage(before)
  return texts.length * bytes / 1e6 / (Math.max(1, user + system) / 1e6)
}

interface Fixture { bytes: number, batches: string[][], before: string[] }

// Arguments: the parser, the rounds, then a file and a batch size for each exposition size.
const [name, roundsArg, ...pairs] = process.argv.slice(2)
const parse = parsers[name]
const rounds = Number(roundsArg)
const fixtures: Fixture[] = []
for (let f = 0; f < pairs.length; f += 2) {
  const written = readFileSync(pairs[f], 'utf8')
  const perRun = Number(pairs[f + 1])
  // Batch r is round r's; every text is a distinct later scrape, never parsed before its round.
  const batches: string[][] = []
  // The scrape before each batch's first text: what the cache holds when the repeat pass starts.
  const before: string[] = []
  for (let i = 0; i < rounds; i++) {
    batches.push(Array.from({ length: perRun }, (_v, j) => laterScrape(written, i * perRun + j + 1)))
    before.push(laterScrape(written, i * perRun))
  }
  fixtures.push({ bytes: Buffer.byteLength(written), batches, before })
}
// Warm the parser's code up (into optimised code) on texts no round uses: a batch of the first
// size, without and with the cache.
const warm = readFileSync(pairs[0], 'utf8')
for (let i = 0; i < Number(pairs[1]); i++) sink = parse(laterScrape(warm, -1 - i))
const warmCache = new SeriesCache()
if (name === 'ours') for (let i = 0; i < Number(pairs[1]); i++) sink = parseExposition(laterScrape(warm, -1 - i), { cache: warmCache })

process.on('message', (msg: { fixture?: number, round?: number }) => {
  if (msg.fixture === undefined || msg.round === undefined) process.exit(0)
  const { batches, bytes, before } = fixtures[msg.fixture]
  const texts = batches[msg.round]
  const first = speed(parse, texts, bytes)
  const found = seriesFound(sink)
  let repeat: number | null = null
  let cacheHits: number | null = null
  if (name === 'ours') {
    const cache = new SeriesCache()
    parseExposition(before[msg.round], { cache })
    let hits = 0
    repeat = speed((text) => {
      const e = parseExposition(text, { cache })
      hits += cache.hits
      return e
    }, texts, bytes)
    cacheHits = hits / texts.length
  } else if (name !== 'npm') {
    // The npm parser's repeat is as slow as its first parse; it would double the run for nothing.
    repeat = speed(parse, texts, bytes)
  }
  process.send!({ first, repeat, found, bytes, cacheHits })
})
process.send!({ ready: true })
