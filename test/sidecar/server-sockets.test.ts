// trackServerSockets on a plain node:http server on 127.0.0.1:0: once closing, connections that hold
// no request are closed as soon as no request is in flight; requests in flight, and those that come
// on their connections meanwhile, are answered first. Issue 8, item 4.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import t, { type Test } from 'tap'
import { trackServerSockets } from '../../sidecar/server-sockets.js'
import { rawRequest, type RawRequest } from '../helpers/spawn-sidecar.js'
import { waitFor } from '../helpers/wait-for.js'

interface Harness {
  server: Server
  base: string
  sockets: ReturnType<typeof trackServerSockets>
  /** Requests the handler holds, by path, until the test answers them. */
  held: Map<string, () => void>
  /** Resolves when the server has closed: every connection gone. */
  closed: () => Promise<void>
}

async function start (t: Test): Promise<Harness> {
  const held = new Map<string, () => void>()
  // `/hold/...` is answered when the test says; a POST once its whole body came; the rest at once.
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/'
    if (path.startsWith('/hold/')) {
      held.set(path, () => res.end(`done ${path}`))
      return
    }
    req.resume()
    req.on('end', () => res.end(`answered ${req.method} ${path}`))
  })
  const sockets = trackServerSockets(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  let closing: Promise<void> | undefined
  const closed = () => {
    closing ??= new Promise<void>((resolve) => {
      sockets.closeWhenQuiet()
      server.close(() => resolve())
    })
    return closing
  }
  t.teardown(() => {
    server.closeAllConnections()
    return closed()
  })
  return { server, base, sockets, held, closed }
}

const accepted = (h: Harness, n: number) => waitFor(`${n} connections accepted`, () => h.sockets.counts().connections === n ? true : undefined)
// The server's 'close' can come before its sockets' own 'close' events, which the tracker counts by.
const allGone = (h: Harness) => waitFor('every connection gone', () => h.sockets.counts().connections === 0 ? h.sockets.counts() : undefined)
const inFlight = (h: Harness, n: number) => waitFor(`${n} requests in flight`, () => h.sockets.counts().inFlight === n ? true : undefined)

t.test('nothing in flight: silent, half-sent and idle connections are closed at once', async (t) => {
  const h = await start(t)
  const quiet: RawRequest[] = [
    await rawRequest(h.base, '/', { hold: 'nothing' }),
    await rawRequest(h.base, '/', { hold: 'line' }),
    await rawRequest(h.base, '/', { hold: 'headers' })
  ]
  const idle = await rawRequest(h.base, '/x')
  t.equal((await idle.answered).status, 200)
  t.teardown(() => { for (const c of [...quiet, idle]) c.destroy() })
  await accepted(h, 4)
  t.same(h.sockets.counts(), { connections: 4, inFlight: 0 })

  await h.closed()
  for (const c of quiet) t.equal((await c.closed).status, 0, 'closed without an answer: it asked for nothing')
  t.same(await allGone(h), { connections: 0, inFlight: 0 })
})

t.test('requests in flight are answered first, those that arrive meanwhile on open connections too; then the rest is closed', async (t) => {
  const h = await start(t)
  const silent = await rawRequest(h.base, '/', { hold: 'nothing' })
  const headers = await rawRequest(h.base, '/late', { hold: 'headers' })
  const body = await rawRequest(h.base, '/upload', { hold: 'body' })
  const slow = await rawRequest(h.base, '/hold/a')
  t.teardown(() => { for (const c of [silent, headers, body, slow]) c.destroy() })
  await accepted(h, 4)
  await inFlight(h, 2)
  const order: string[] = []
  for (const [name, c] of Object.entries({ silent, headers, body, slow })) c.closed.then(() => { order.push(`${name} closed`) }, () => {})

  const closed = h.closed().then(() => { order.push('server closed') })
  // The headers end while the server is closing: a request in flight like any other, answered.
  headers.finish()
  const late = await headers.answered
  t.equal(late.status, 200, 'the request completed during the close is answered')
  t.equal(late.body, 'answered GET /late')
  // A connection that never sent a byte may go as soon as close() starts: Node 26 drops it itself,
  // Node 20-24 keep it for us to close. Those that sent part of a request are kept either way.
  t.same(order.filter((e) => e !== 'silent closed'), [], 'nothing that sent bytes closed: requests are still in flight')

  body.finish()
  t.equal((await body.answered).body, 'answered POST /upload', 'the half-sent body, once whole, is answered')
  t.same(h.sockets.counts().inFlight, 1)

  const release = h.held.get('/hold/a')
  t.ok(release, 'the held request reached its handler')
  release?.()
  t.equal((await slow.answered).body, 'done /hold/a')
  await closed
  await Promise.all([silent, headers, body, slow].map((c) => c.closed))
  t.same(order.filter((e) => e !== 'server closed').sort(), ['body closed', 'headers closed', 'silent closed', 'slow closed'], 'then every connection is closed')
  t.same(await allGone(h), { connections: 0, inFlight: 0 })
})

t.test('a connection opened while closing, with nothing in flight, is closed at once', async (t) => {
  const h = await start(t)
  h.sockets.closeWhenQuiet()
  // The listener is still open: the server is only told it is closing.
  const late = await rawRequest(h.base, '/', { hold: 'nothing' })
  t.teardown(() => late.destroy())
  t.equal((await late.closed).status, 0, 'closed by the server, unasked')
  t.same(await allGone(h), { connections: 0, inFlight: 0 })
})

t.test('a client that goes away with its request in flight does not keep the others open', async (t) => {
  const h = await start(t)
  const silent = await rawRequest(h.base, '/', { hold: 'nothing' })
  const gone = await rawRequest(h.base, '/hold/gone')
  t.teardown(() => { silent.destroy(); gone.destroy() })
  await inFlight(h, 1)
  const closed = h.closed()
  gone.destroy()
  await closed
  await silent.closed
  t.same(await allGone(h), { connections: 0, inFlight: 0 }, 'its request no longer counted')
  // Its handler may still answer: to a closed connection, harmlessly.
  h.held.get('/hold/gone')?.()
})
