// Who may load the status page. The page is static and holds no data, so it is guarded only where
// the report is guarded by the peer's address: with neither token nor `authorize`, loopback clients
// only (what `kubectl port-forward` gives). Once a token or `authorize` guards the report, the page
// is served to whoever reaches it, since it is where the token is entered; every byte of data it
// shows still comes through the report's own check.
import type { FastifyRequest } from 'fastify'
import { ReliabilityErrors } from '../errors.js'
import { isLoopback, type AccessOptions } from '../routes/access-check.js'

export function createPageAccessCheck (opts: AccessOptions): (request: FastifyRequest) => Promise<void> {
  const guarded = opts.authorize !== undefined || opts.token !== undefined
  return async function checkPageAccess (request) {
    if (guarded) return
    if (!isLoopback(request.socket.remoteAddress)) throw ReliabilityErrors.FORBIDDEN()
  }
}
