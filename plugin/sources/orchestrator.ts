// Runs every source concurrently, each under its own deadline, and decides what each one's section
// shows: fresh data, the last good data marked stale, or nothing, with the reason (SPEC §1, §2).
import type { FastifyBaseLogger } from 'fastify'
import { redactError, type Redactor } from '../redact.js'
import { runSource } from './run-source.js'
import type { Source, SourceOutcome, ReportPatch } from './source.js'
import type { SourceState } from '../../schemas/report.js'
import type { ResolvedOptions } from '../resolve-options.js'

export interface SourceView {
  readonly name: string
  readonly status: SourceState
  readonly durationMs: number | null
  readonly ageMs: number | null
  readonly startedAt: number | null
  readonly data?: ReportPatch
  readonly error?: string
}

export interface Collection {
  readonly views: SourceView[]
}

/** The resolved options it reads, by their names there (`lastGoodMaxAgeMs`: 0 disables stale values). */
export interface OrchestratorOptions extends Pick<ResolvedOptions, 'sourceTimeoutMs' | 'lastGoodMaxAgeMs' | 'clock'> {
  readonly log: FastifyBaseLogger
  /** Aborted when the plugin closes. */
  readonly signal: AbortSignal
  /** Applied to every error before it is logged (source errors are user and upstream text). */
  readonly redact: Redactor
}

export interface Orchestrator {
  collect(sources: readonly Source[]): Promise<Collection>
}

export function createOrchestrator (opts: OrchestratorOptions): Orchestrator {
  const lastGood = new Map<string, { at: number, data: ReportPatch }>()
  const logs = new Map<string, FastifyBaseLogger>()
  const logFor = (name: string) => {
    let log = logs.get(name)
    if (!log) logs.set(name, log = opts.log.child({ source: name }))
    return log
  }

  function view (outcome: SourceOutcome): SourceView {
    const { name, status, durationMs, startedAt, data, error } = outcome
    const base = { name, durationMs: round(durationMs), startedAt }
    if (status === 'ok' && data) {
      const provenance = data.provenance
      if (!provenance || provenance.status === 'ok') {
        lastGood.set(name, { at: startedAt, data })
        return { ...base, status: 'ok', ageMs: provenance?.ageMs ?? 0, data }
      }
      // The source answered for state it holds, and that state is not fresh: trust what it says.
      return { ...base, status: provenance.status, ageMs: provenance.ageMs ?? null, data, error: provenance.error }
    }
    const reason = error?.message ?? 'no value'
    const last = lastGood.get(name)
    const age = last ? opts.clock() - last.at : Infinity
    if (last && opts.lastGoodMaxAgeMs > 0 && age <= opts.lastGoodMaxAgeMs) {
      return { ...base, status: 'stale', ageMs: age, data: last.data, error: reason }
    }
    return { ...base, status: status === 'ok' ? 'error' : status, ageMs: null, error: reason }
  }

  return {
    async collect (sources) {
      const outcomes = await Promise.all(sources.map((source) => runSource(source, {
        timeoutMs: opts.sourceTimeoutMs,
        now: opts.clock,
        log: logFor(source.name),
        signal: opts.signal
      })))
      for (const outcome of outcomes) {
        if (outcome.status === 'timeout') {
          logFor(outcome.name).warn({ err: redactError(outcome.error as Error, opts.redact), durationMs: round(outcome.durationMs) }, 'source timed out')
        } else if (outcome.status === 'error') {
          logFor(outcome.name).warn({ err: redactError(outcome.error as Error, opts.redact), durationMs: round(outcome.durationMs) }, 'source failed')
        }
      }
      return { views: outcomes.map(view) }
    }
  }
}

function round (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
