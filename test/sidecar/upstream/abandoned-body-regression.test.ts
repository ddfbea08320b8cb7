// Regression (found by the soak, issue 5): a body we stop reading (a redirect refused before its
// body, an answer over the cap, a slow body past the deadline) later got an 'error' event from
// undici when the deadline fired, with no listener: an uncaught exception killed the sidecar.
import t from 'tap'
import { createServer } from 'node:http'
import { createUpstreamClient } from '../../../sidecar/upstream/upstream-client.js'

t.test('abandoned bodies never raise an uncaught error when the deadline fires later', async (t) => {
  const uncaught: unknown[] = []
  const onUncaught = (err: unknown) => uncaught.push(err)
  process.on('uncaughtException', onUncaught)
  t.teardown(() => { process.off('uncaughtException', onUncaught) })

  const server = createServer((req, res) => {
    if (req.url === '/redirect') res.writeHead(302, { location: 'http://127.0.0.2:9/' }).end()
    else if (req.url === '/declared-too-big') { res.writeHead(200, { 'content-length': String(4 * 1024 * 1024) }); res.write('x'.repeat(1000)) } else if (req.url === '/too-big') res.writeHead(200).end('x'.repeat(2 * 1024 * 1024))
    else { res.writeHead(200); res.write('x') } // a body that never ends: only the deadline stops it
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const client = createUpstreamClient({
    target: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    // Room for a 2 MB body to hit the cap before the deadline on a machine with both cores busy.
    timeoutMs: 2000,
    maxBodyBytes: 1024 * 1024
  })
  t.teardown(() => client.close())

  const cases = [
    ['/redirect', 'RELIABILITY_ERR_UPSTREAM_REDIRECT'],
    ['/declared-too-big', 'RELIABILITY_ERR_BODY_TOO_LARGE'],
    ['/too-big', 'RELIABILITY_ERR_BODY_TOO_LARGE'],
    ['/slow', 'RELIABILITY_ERR_UPSTREAM_TIMEOUT']
  ] as const
  for (const [path, code] of cases) {
    const err = await client.get(path).then(() => undefined, (e: { code?: string }) => e)
    t.equal(err?.code, code, path)
  }
  // Past every deadline, by order rather than a sleep: /slow, asked last, ended on its own deadline,
  // so the earlier requests' deadlines (started before it, as long) have all fired. The unhandled
  // 'error' used to surface then, on a later turn of the event loop.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
  t.same(uncaught, [], 'no uncaught exception')
})
