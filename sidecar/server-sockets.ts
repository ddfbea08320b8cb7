// The connections of a node:http server, and whether each has a request in flight, so that closing
// the server cannot be held by a connection that has none (issue 8).
//
// Why Node's own tools are not enough (Node 20 and 22+ alike): server.close() stops the listener and
// calls closeIdleConnections(), which drops only connections that have served a request and wait for
// the next. A connection that never sent a whole request (nothing at all, half a request line, half
// its headers) counts as a request being received, not as idle, so close() keeps it; and close() also
// stops the connectionsCheckingInterval that would have dropped it after headersTimeout (60 s). Such
// a connection held shutdown until the grace ran out. closeAllConnections() would drop it, but also
// cut off the requests in flight, which SPEC §6 says must finish.
//
// A request is in flight from Node's 'request' event (its headers read) until its response closes:
// finished, or its connection gone. Once closing, and as soon as no request is in flight, every
// connection left is destroyed: none holds a request, and waiting until then lets a half-sent request
// complete and have its answer (Fastify's 503 while closing) rather than a reset.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

export interface ServerSockets {
  /**
   * From now on, whenever no request is in flight, destroys every open connection; new connections
   * too (the listener may still be open for a moment). Call it when the server starts closing.
   */
  closeWhenQuiet(): void
  /** Open connections, and requests in flight across them. */
  counts(): { connections: number, inFlight: number }
}

export function trackServerSockets (server: Server): ServerSockets {
  // Requests in flight per connection: HTTP/1.1 pipelining can queue several on one.
  const open = new Map<Socket, number>()
  let inFlight = 0
  let closing = false

  const closeIfQuiet = () => {
    if (!closing || inFlight > 0) return
    for (const socket of open.keys()) socket.destroy()
  }

  server.on('connection', (socket: Socket) => {
    open.set(socket, 0)
    socket.once('close', () => {
      // A connection gone with requests still counted (a client that went away, a reset): they are
      // no longer in flight, whatever their responses do next.
      inFlight -= open.get(socket) ?? 0
      open.delete(socket)
      closeIfQuiet()
    })
    closeIfQuiet()
  })

  server.on('request', (request, response) => {
    const socket = request.socket
    const count = open.get(socket)
    // Not a connection of this server's listener (a test's injected request has none): not tracked.
    if (count === undefined) return
    open.set(socket, count + 1)
    inFlight++
    response.once('close', () => {
      const now = open.get(socket)
      // Its connection already closed and took the count with it.
      if (now === undefined) return
      open.set(socket, now - 1)
      inFlight--
      closeIfQuiet()
    })
  })

  return {
    closeWhenQuiet () {
      closing = true
      closeIfQuiet()
    },
    counts: () => ({ connections: open.size, inFlight })
  }
}
