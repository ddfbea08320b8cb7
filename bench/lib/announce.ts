// The server side of spawn-server.ts: listen on the loopback at a free port, say which on stdout,
// and close on SIGTERM, on SIGINT, or when the parent goes away (stdin ends).
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'

export async function announce (app: FastifyInstance, extra: Record<string, unknown> = {}): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  let closing = false
  const stop = () => {
    if (closing) return
    closing = true
    setTimeout(() => process.exit(0), 2000).unref()
    app.close().finally(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.stdin.once('end', stop)
  process.stdin.resume()
  process.stdout.write(JSON.stringify({ port, pid: process.pid, ...extra }) + '\n')
}
