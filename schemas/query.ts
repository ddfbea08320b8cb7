import { Type, type Static } from '@sinclair/typebox'

// Only the two spellings people type; `maybe` is a 400 naming the parameter (SPEC §5).
export const ReportQuery = Type.Object({
  include_traces: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')]))
})
export type ReportQuery = Static<typeof ReportQuery>
