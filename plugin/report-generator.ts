// One generation of the report: collect every source, fold their sections, evaluate the rules
// against them, decide the status, say in notes what is missing or stale. Rule state (pending,
// firing, since) lives here between generations. The finished report crosses `redactReport` before
// anyone sees it: that one walk redacts and caps every string, whichever field or source it came from.
import type { FastifyBaseLogger } from 'fastify'
import { assembleSections } from './assemble-sections.js'
import { overallStatus } from './overall-status.js'
import { evaluateRules, type RuleState } from './rules/evaluate-rules.js'
import type { Orchestrator, SourceView } from './sources/orchestrator.js'
import type { Redactor } from './redact.js'
import { redactReport } from './redact-report.js'
import { isUnfilled, reportSetup } from './report-setup.js'
import type { Source } from './sources/source.js'
import type { Diagnoser } from './diagnosis/create-diagnoser.js'
import type { History } from './history/create-history.js'
import type { ReliabilityReport, SourceStatus, TraceSpan } from '../schemas/report.js'
import type { ResolvedOptions } from './resolve-options.js'

export interface GeneratorOptions extends Pick<ResolvedOptions, 'rules' | 'windowMs' | 'clock'> {
  readonly orchestrator: Orchestrator
  /** Read at every generation, so sources added at run time are picked up. */
  readonly sources: () => readonly Source[]
  /** Source names the report always lists; those with no source are `unconfigured`. */
  readonly expected: () => readonly string[]
  readonly log: FastifyBaseLogger
  /** Applied to every string of the report, once, when it is assembled. */
  readonly redact: Redactor
  /** Each report is recorded as a point; the diagnosis reads the points before it. */
  readonly history: History
  readonly diagnoser: Diagnoser
}

/** A generated report always carries its traces; the route decides whether to show them. */
export type GeneratedReport = ReliabilityReport & { traces: TraceSpan[] }

export interface ReportGenerator {
  generate(): Promise<GeneratedReport>
}

export function createReportGenerator (opts: GeneratorOptions): ReportGenerator {
  const { orchestrator, redact, log } = opts
  let ruleStates: ReadonlyMap<string, RuleState> = new Map()
  let previousStatus: ReliabilityReport['overall_status'] | undefined

  return {
    async generate () {
      const started = performance.now()
      const { views } = await orchestrator.collect(opts.sources())
      const seen = new Set(views.map((v) => v.name))
      const sources: Record<string, SourceStatus> = {}
      const notes: string[] = []
      // Said once in `setup.unconfigured`, not in a note per report (issue 9).
      const missing = opts.expected().filter((name) => !seen.has(name))
      for (const name of missing) sources[name] = { status: 'unconfigured', duration_ms: null, age_ms: null }
      for (const v of views) {
        sources[v.name] = sourceStatus(v)
        const note = noteFor(v)
        if (note) notes.push(note)
        for (const n of v.data?.notes ?? []) notes.push(n)
      }

      const sections = assembleSections(opts.windowMs, views.flatMap((v) => v.data ? [v.data] : []))
      const now = opts.clock()
      const evaluation = evaluateRules(opts.rules, sections, ruleStates, now)
      ruleStates = evaluation.states
      const setup = reportSetup(views, missing, opts.rules)
      for (const { code, paths } of evaluation.noData) {
        // A path nothing fills is in `setup`; a note is for data that should be there and is not.
        const absent = paths.filter((p) => !isUnfilled(p, setup.unconfigured))
        if (absent.length > 0) notes.push(`rule ${code}: no data for ${absent.join(', ')}; it neither fires nor clears.`)
      }
      const overall = overallStatus(evaluation.anomalies, sections.services, sources)
      const { diagnosis, missing: unexplained } = opts.diagnoser.diagnose(
        { ...sections, overall_status: overall, anomalies: evaluation.anomalies },
        opts.history.points(now), opts.history.transitions(), now)
      notes.push(...unexplained)
      const report: GeneratedReport = redactReport<GeneratedReport>({
        timestamp: new Date(now).toISOString(),
        overall_status: overall,
        health_version: 'v2',
        ...sections,
        anomalies: evaluation.anomalies,
        diagnosis,
        notes,
        sources,
        setup,
        generation_time_ms: 0,
        include_traces: false,
        traces: views.filter((v) => v.startedAt !== null).map(traceSpan)
      }, redact)
      report.generation_time_ms = Math.round((performance.now() - started) * 1000) / 1000
      // Recorded redacted: the transitions quote the report's own (already redacted) errors.
      opts.history.record(report)

      log.debug({
        event: 'reliability.report',
        status: overall,
        anomalies: evaluation.anomalies.map((a) => a.code),
        generationMs: report.generation_time_ms
      }, 'reliability.report')
      if (previousStatus !== undefined && previousStatus !== overall) {
        const level = overall === 'ok' ? 'info' : 'warn'
        log[level]({ event: 'reliability.status', from: previousStatus, to: overall }, 'reliability status changed')
      }
      previousStatus = overall
      for (const t of evaluation.transitions) {
        if (t.to === 'firing') {
          log[t.severity === 'info' ? 'info' : 'warn']({ event: 'reliability.anomaly', code: t.code, severity: t.severity, state: 'firing' }, 'anomaly started')
        } else if (t.from === 'firing') {
          log.info({ event: 'reliability.anomaly', code: t.code, severity: t.severity, state: 'cleared' }, 'anomaly cleared')
        }
      }
      return report
    }
  }
}

function sourceStatus (v: SourceView): SourceStatus {
  const status: SourceStatus = { status: v.status, duration_ms: v.durationMs, age_ms: v.ageMs === null ? null : Math.round(v.ageMs) }
  if (v.error !== undefined) status.error = v.error
  return status
}

function noteFor (v: SourceView): string | undefined {
  const why = v.error === undefined ? '' : ` (${v.error})`
  switch (v.status) {
    case 'ok':
    case 'unconfigured':
      return undefined
    case 'stale':
      return `${v.name}: showing the last good value, ${Math.round((v.ageMs ?? 0) / 1000)} s old${why}.`
    case 'timeout':
      return `${v.name}: timed out${why}; its figures are null.`
    case 'error':
      return `${v.name}: failed${why}; its figures are null.`
  }
}

function traceSpan (v: SourceView): TraceSpan {
  const span: TraceSpan = {
    source: v.name,
    started_at: new Date(v.startedAt ?? 0).toISOString(),
    duration_ms: v.durationMs ?? 0,
    outcome: v.status
  }
  if (v.error !== undefined) span.error = v.error
  return span
}
