// GET <path>/history (SPEC §9): the history window's points and the last transitions, behind the
// same access check as the report. Built from memory at each request: it never runs a source.
import type { FastifyInstance } from 'fastify'
import { HistoryResponse } from '../../schemas/history.js'
import { ErrorBody } from '../../schemas/health.js'
import type { HistoryResponse as History } from '../../schemas/history.js'

export interface HistoryRouteOptions {
  readonly path: string
  readonly history: () => History
  readonly checkAccess: (request: import('fastify').FastifyRequest) => Promise<void>
}

export function historyRoute (fastify: FastifyInstance, opts: HistoryRouteOptions): void {
  fastify.get(`${opts.path.replace(/\/$/, '')}/history`, {
    schema: { response: { 200: HistoryResponse, 401: ErrorBody, 403: ErrorBody } },
    onRequest: opts.checkAccess
  }, async (_request, reply) => {
    reply.header('X-Reliability-Version', 'v1')
    return opts.history()
  })
}
