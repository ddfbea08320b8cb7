// What the parser learnt about each sample line of the previous scrape, so that a line whose name
// and labels are written exactly as before is not parsed again: only its value is read (issue 4,
// B6: "series seen before need not be parsed again"). Prometheus's scrape loop keeps a cache of the
// same kind, keyed by the series text. Ours is positional: the k-th sample line of a scrape is
// compared with the k-th of the previous one, which is what an app's exposition is between two
// scrapes (same families, same order, new values). A line that differs is parsed in full and
// replaces the entry; nothing is ever wrong for a miss, it only costs a full parse.
import type { Labels, MetricType } from './exposition.js'

/** One sample line as the parser understood it. Every string is a copy, never a slice of a scrape. */
export interface SeriesEntry {
  /** The family name: which `families` entry the line belongs to. */
  readonly family: string
  /** The family's type when the line was read: a hit needs the same type in the new scrape. */
  readonly type: MetricType
  /** The line's role in its family (see metric-family.ts). */
  readonly role: number
  /** The sample's own name (`foo_total`, `x_bucket`). */
  readonly name: string
  /** The series key for histogram and summary lines; '' for scalar samples. */
  readonly key: string
  /** The labels without `le`/`quantile`, shared by every scrape that hits this entry (read-only). */
  readonly labels: Labels
  /** The `le` or `quantile` value the line carries; NaN when none. */
  readonly excluded: number
  /**
   * The line's name and labels as written, copied: what the next scrape's k-th line is compared
   * with. Copies, made once when a line is first read, keep no scrape alive; holding each scrape's
   * text instead would move a megabyte into the old generation at every poll.
   */
  readonly prefix: string
}

export class SeriesCache {
  /** What the parser made of the k-th sample line of the last scrape. */
  entries: SeriesEntry[] = []
  /** Lines of the last parse answered from the cache, and read in full: for tests and the bench. */
  hits = 0
  misses = 0

  /** Starts a parse. */
  begin (): void {
    this.hits = 0
    this.misses = 0
  }

  /**
   * The entry for the k-th sample line when text[start, …) repeats that line's name and labels
   * exactly and a blank follows them; undefined otherwise.
   */
  match (k: number, text: string, start: number): SeriesEntry | undefined {
    const entry = this.entries[k]
    if (entry === undefined) return undefined
    const n = entry.prefix.length
    const after = text.charCodeAt(start + n)
    if (after !== 32 && after !== 9) return undefined
    // V8 compares a slice with a string far faster than a charCode loop or startsWith.
    return text.slice(start, start + n) === entry.prefix ? entry : undefined
  }

  /**
   * Records the k-th line of the scrape being parsed (lines come in order, k = 0, 1, …). A parse
   * reads entry k before it writes it, so the array is updated in place; a parse that fails half
   * way leaves entries that each describe a line read correctly, which still match only exactly.
   */
  keep (k: number, entry: SeriesEntry): void {
    this.entries[k] = entry
  }

  /** The parse succeeded with `lines` sample lines: lines past them were the last scrape's only. */
  commit (lines: number): void {
    if (this.entries.length > lines) this.entries.length = lines
  }
}

/**
 * A copy of `s` that shares no memory with the text it was sliced from. V8 keeps a slice of 13
 * characters or more as a view on its parent: an entry holding one would keep that whole scrape
 * (a megabyte) alive for as long as the entry lives. Flattening a one-character prefix copies.
 */
export const detached = (s: string): string => s.length < 13 ? s : (' ' + s).slice(1)

/** `labels` with every name and value detached from the scrape's text. */
export function detachedLabels (labels: Labels): Labels {
  const out: Record<string, string> = {}
  for (const name of Object.keys(labels)) {
    const value = detached(labels[name])
    // A label called __proto__ must stay an own property, as the parser made it.
    if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
    else out[detached(name)] = value
  }
  return out
}
