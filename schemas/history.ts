// GET <path>/history (SPEC §9): the compact points of the history window, column by column (one
// array per field, index i of each is point i: a 720-point hour is a few tens of kilobytes), and
// the last transitions, oldest first.
import { Type, type Static } from '@sinclair/typebox'
import { Status } from './report.js'

const NullableNumber = Type.Union([Type.Number(), Type.Null()])

export const TransitionKind = Type.Union([
  Type.Literal('status'),
  Type.Literal('anomaly'),
  Type.Literal('source'),
  Type.Literal('service'),
  Type.Literal('restart')
])
export type TransitionKind = Static<typeof TransitionKind>

export const Transition = Type.Object({
  /** ISO-8601 time of the report that first showed the change. */
  at: Type.String(),
  kind: TransitionKind,
  /** `overall`, an anomaly code, a source or service name, or `target` for a restart. */
  subject: Type.String(),
  /** The state before (null for the first report), e.g. `ok`, `inactive`, `stale`, or an uptime in s. */
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(),
  detail: Type.Optional(Type.String())
})
export type Transition = Static<typeof Transition>

export const HistoryPoints = Type.Object({
  /** Epoch ms of each report. */
  timestamp: Type.Array(Type.Number()),
  status: Type.Array(Status),
  /** Codes of the anomalies firing in each report. */
  anomalies: Type.Array(Type.Array(Type.String())),
  /** By report path: the figure in each report, null when it had none. */
  figures: Type.Record(Type.String(), Type.Array(NullableNumber))
})
export type HistoryPoints = Static<typeof HistoryPoints>

export const HistoryResponse = Type.Object({
  history_ms: Type.Number(),
  history_points: Type.Number(),
  points: HistoryPoints,
  transitions: Type.Array(Transition)
}, { $id: 'ReliabilityHistory' })
export type HistoryResponse = Static<typeof HistoryResponse>
