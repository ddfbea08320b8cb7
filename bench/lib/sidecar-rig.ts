// What the sidecar benchmarks (B7, B9) and the soak start the same way: a free port for the
// sidecar, and the two children beside it: the target serving the ~1 MB exposition, and a bare
// Fastify process with a /health route as the baseline.
import { createServer } from 'node:net'
import { serverScript, spawnServer, type ServerChild } from './spawn-server.js'

/** A port nobody listens on right now: bind :0, read it, release it. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The exposition target and the bare Fastify baseline, started side by side. */
export async function startTargetAndBare (): Promise<{ target: ServerChild, bare: ServerChild }> {
  const [target, bare] = await Promise.all([
    spawnServer(serverScript('exposition-server.js')),
    spawnServer(serverScript('hello-server.js'), ['bare', '--health'])
  ])
  return { target, bare }
}
