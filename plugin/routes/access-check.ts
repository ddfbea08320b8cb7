// Who may read the diagnostics route (SPEC §5): `authorize` decides when given; else a bearer token
// compared in constant time; else loopback peers only. Loopback is judged on the socket's peer, not
// `request.ip`, so a forged X-Forwarded-For cannot pass for local whatever `trustProxy` says.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { ReliabilityErrors } from '../errors.js'

export interface AccessOptions {
  readonly token: string | undefined
  readonly authorize: ((request: FastifyRequest) => boolean | Promise<boolean>) | undefined
}

// Digests make both sides the same length, so the comparison's time says nothing about the token.
const digest = (value: string) => createHash('sha256').update(value).digest()

export function isLoopback (address: string | undefined): boolean {
  if (address === undefined) return false
  if (address === '::1') return true
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.')
}

export function bearerMatches (header: string | undefined, expected: Buffer): boolean {
  if (typeof header !== 'string') return false
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  // Compare even when the header is malformed, so its shape does not change the timing.
  const ok = timingSafeEqual(digest(match?.[1] ?? ''), expected)
  return match !== null && ok
}

export function createAccessCheck (opts: AccessOptions): (request: FastifyRequest) => Promise<void> {
  const expected = opts.token === undefined ? undefined : digest(opts.token)
  return async function checkAccess (request) {
    if (opts.authorize) {
      if (await opts.authorize(request) !== true) throw ReliabilityErrors.FORBIDDEN()
      return
    }
    if (expected) {
      if (!bearerMatches(request.headers.authorization, expected)) throw ReliabilityErrors.UNAUTHORIZED()
      return
    }
    if (!isLoopback(request.socket.remoteAddress)) throw ReliabilityErrors.FORBIDDEN()
  }
}
