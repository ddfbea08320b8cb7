// What every benchmark hands back: rows of figures, each with its samples, its ratio against the
// baseline measured in the same run, its target and whether it met it (null: shown for context).
import { summarize } from './stats.js'

export interface Row {
  /** What the row measures, short: "hello req/s", "1 MB first scrape". */
  readonly what: string
  readonly variant: string
  readonly unit: string
  readonly n: number
  readonly min: number
  readonly median: number
  readonly max: number
  /** Nearest-rank p99 of the samples (for latency rows, the figure judged). */
  readonly p99: number
  /** Which figure the target is about: the ratio, the median or the p99. */
  readonly judged: 'ratio' | 'median' | 'p99' | null
  /** This row's median over its baseline's median, when it has one. */
  readonly ratio: number | null
  readonly baseline: string | null
  readonly target: string
  readonly pass: boolean | null
  readonly note?: string
  readonly samples: readonly number[]
}

export interface FigureSet {
  readonly id: string
  readonly title: string
  readonly rows: Row[]
  /** Everything else worth keeping: settings, sizes, counts, per-round ratios. */
  readonly facts: Record<string, unknown>
}

export interface BenchContext {
  readonly quick: boolean
  /** Progress, to stderr, so stdout stays the table or the JSON. */
  readonly log: (line: string) => void
  /** When set, HTTP server children run with --cpu-prof and write their profiles here. */
  readonly cpuProfDir: string | undefined
}

export interface RowInput {
  what: string
  variant: string
  unit: string
  samples: readonly number[]
  /** The baseline's samples and name: ratio = median / baseline median. */
  baseline?: { name: string, samples: readonly number[] }
  target?: string
  /** Which figure `check` is given (and the table shows); default: the ratio when there is a baseline, else the median. */
  judge?: 'ratio' | 'median' | 'p99'
  /** Decides pass/miss from the judged figure; absent for context rows. */
  check?: (value: number) => boolean
  note?: string
}

export function row (input: RowInput): Row {
  const s = summarize(input.samples)
  const ratio = input.baseline ? s.median / summarize(input.baseline.samples).median : null
  const judged = input.judge ?? (input.check === undefined ? null : ratio === null ? 'median' : 'ratio')
  const value = judged === 'ratio' ? ratio : judged === 'p99' ? s.p99 : s.median
  return {
    what: input.what,
    variant: input.variant,
    unit: input.unit,
    n: s.n,
    min: s.min,
    median: s.median,
    max: s.max,
    p99: s.p99,
    judged,
    ratio,
    baseline: input.baseline?.name ?? null,
    target: input.target ?? '',
    pass: input.check && value !== null ? input.check(value) : null,
    ...(input.note === undefined ? {} : { note: input.note }),
    samples: input.samples
  }
}

/** Per-round ratios of paired samples (round i of a over round i of b). */
export function pairedRatios (a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => v / b[i])
}
