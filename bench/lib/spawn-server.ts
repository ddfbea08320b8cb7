// Servers under load run in their own process, so the load generator (autocannon, in this one)
// and the server never share an event loop. A server child prints one JSON line with its port
// on stdout once it listens; `stop()` sends SIGTERM and waits, then SIGKILL after a grace.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface ServerChild {
  readonly pid: number
  readonly port: number
  readonly url: string
  readonly child: ChildProcess
  stop(): Promise<void>
}

export interface SpawnOptions {
  /** Node flags before the script (`--cpu-prof`, ...). */
  readonly execArgv?: readonly string[]
  readonly startTimeoutMs?: number
}

const running = new Set<ChildProcess>()
// The bench may end by an exception or Ctrl-C: no child outlives it.
process.once('exit', () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

/** A compiled server next to this file's parent: `serverScript('hello-server.js')`. */
export function serverScript (name: string): string {
  return fileURLToPath(new URL(`../servers/${name}`, import.meta.url))
}

/** Any child: killed when this process exits. */
export function track<T extends ChildProcess> (child: T): T {
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

export function spawnNode (script: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [...(opts.execArgv ?? []), script, ...args], {
    // stdin is a pipe the child watches: when this process dies, the child's stdin ends and it exits.
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' }
  })
  return track(child)
}

export async function stopChild (child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

export async function spawnServer (script: string, args: readonly string[] = [], opts: SpawnOptions = {}): Promise<ServerChild> {
  const child = spawnNode(script, args, opts)
  const lines = createInterface({ input: child.stdout! })
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not announce its port within ${opts.startTimeoutMs ?? 20000} ms`)), opts.startTimeoutMs ?? 20000)
    lines.once('line', (line) => { clearTimeout(timer); resolve(line) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code} before listening`)) })
  })
  lines.on('line', () => {}) // keep draining stdout
  const { port } = JSON.parse(first) as { port: number }
  return {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () => stopChild(child)
  }
}
