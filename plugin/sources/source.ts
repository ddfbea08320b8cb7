// What a source is (SPEC §2). The orchestrator knows sources only through this interface, which is
// what lets the sidecar feed the same plugin with HTTP pollers instead of in-process probes.
import type { FastifyBaseLogger } from 'fastify'
import type { ReportSections } from '../../schemas/report.js'

export interface SourceContext {
  /** Aborted at the source's deadline (`sourceTimeoutMs`) or when the plugin closes. */
  readonly signal: AbortSignal
  /** The report's clock, epoch milliseconds. Use it instead of Date.now() so tests control time. */
  now(): number
  /** A child logger bound to `{ source: name }`. */
  readonly log: FastifyBaseLogger
}

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

/** What one source contributes: any subset of the report's sections, each possibly partial. */
export type ReportPatch = { [K in keyof ReportSections]?: DeepPartial<ReportSections[K]> } & {
  /** Short sentences for `report.notes`: what is wrong, stale or changed, not what is absent by design. */
  notes?: string[]
  /**
   * What the source found on its own (`report.setup.detected`), and the report paths it leaves
   * unfilled with why (`report.setup.unconfigured`): said there once, not noted in every report.
   */
  setup?: { detected?: Record<string, string | null>, unconfigured?: Array<{ path: string, reason: string }> }
  /**
   * For sources that serve state gathered elsewhere (the sidecar's poller): how fresh that state is,
   * or `unconfigured` when the target does not offer it. Absent means "just collected, ok".
   */
  provenance?: { status: 'ok' | 'error' | 'timeout' | 'stale' | 'unconfigured', ageMs?: number, error?: string }
}

/**
 * A named producer of report sections. `name` is its key in `report.sources`.
 * `collect` may be slow, throw, or ignore its signal: the orchestrator still answers on time.
 */
export interface Source {
  readonly name: string
  collect(ctx: SourceContext): Promise<ReportPatch>
  /** Called once when the plugin closes: stop timers, close sockets. */
  close?(): void | Promise<void>
}

/** A user function that returns one section (SPEC §8 `sources.cache`, `addSource('cache', fn)`). */
export type SectionSource<T> = (ctx: SourceContext) => Promise<T> | T

/** The outcome of one source call. Running a source never throws; it yields one of these. */
export interface SourceOutcome {
  readonly name: string
  readonly status: 'ok' | 'error' | 'timeout'
  readonly startedAt: number
  readonly durationMs: number
  readonly data?: ReportPatch
  readonly error?: Error
}
