import { Type, type Static } from '@sinclair/typebox'

// IETF draft "Health Check Response Format for HTTP APIs": the open health route says
// pass/warn/fail and nothing more, so an anonymous caller learns nothing else.
export const HealthStatus = Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail')])
export type HealthStatus = Static<typeof HealthStatus>

export const HealthBody = Type.Object({ status: HealthStatus }, { additionalProperties: false })
export type HealthBody = Static<typeof HealthBody>

export const ErrorBody = Type.Object({
  statusCode: Type.Number(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String()
})
export type ErrorBody = Static<typeof ErrorBody>
