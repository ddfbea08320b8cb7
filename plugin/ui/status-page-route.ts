// GET <path>/ui: the status page (SPEC §9). The bytes and the policy are built once, at
// registration. Files missing from a broken install cost the page only, said once in the log: the
// report, and the host app whose start would otherwise fail, go on without it.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { loadStatusPage, type StatusPage } from './status-page.js'

export interface StatusPageRouteOptions {
  readonly path: string
  readonly checkAccess: (request: FastifyRequest) => Promise<void>
  /** Where the page comes from (tests give a broken one); default: loadStatusPage(). */
  readonly load?: () => StatusPage
}

export function statusPageRoute (fastify: FastifyInstance, opts: StatusPageRouteOptions): void {
  let page: StatusPage
  try {
    page = (opts.load ?? loadStatusPage)()
  } catch (err) {
    fastify.log.error({ err, plugin: 'reliability' }, 'the status page could not be loaded; <path>/ui is not served')
    return
  }
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
