// GET <path>/ui: the status page (SPEC §9). The bytes and the policy are built once, at
// registration, so a missing page file stops the start instead of failing a request later.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { loadStatusPage } from './status-page.js'

export interface StatusPageRouteOptions {
  readonly path: string
  readonly checkAccess: (request: FastifyRequest) => Promise<void>
}

export function statusPageRoute (fastify: FastifyInstance, opts: StatusPageRouteOptions): void {
  const page = loadStatusPage()
  fastify.get(`${opts.path.replace(/\/$/, '')}/ui`, { onRequest: opts.checkAccess }, async (_request, reply) => {
    return reply
      .header('Content-Security-Policy', page.contentSecurityPolicy)
      // Set here too, not only by the routes' hook: a host's own @fastify/caching may set another.
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      // The page's URL says where the diagnostics live: no need to tell anyone it links to.
      .header('Referrer-Policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(page.html)
  })
}
