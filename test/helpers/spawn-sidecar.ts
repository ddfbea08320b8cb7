// The built `reliability-sidecar` (dist/sidecar/bin.js) as a real child process, and the small
// HTTP tools its tests need: a free port, a one-connection GET that reports refusals by code, and
// a bounded wait. Children are always killed in teardown, so a failing test never leaves one behind.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The command `npm test` builds before tap runs (`npm run build`). */
export const binPath = fileURLToPath(new URL('../../dist/sidecar/bin.js', import.meta.url))
export const binBuilt = existsSync(binPath)

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** ms from spawn to exit. */
  elapsedMs: number
}

export interface RunResult extends Exit {
  stdout: string
  stderr: string
}

interface Teardown { teardown: (fn: () => void | Promise<void>) => void }

/**
 * The test runner's environment, plus `env`, as a user's shell would give it: no `RELIABILITY_*`
 * variable of ours, and without tap's process-info hook, which NODE_OPTIONS would load into the child
 * (it doubles the start time, and the child is meant to run as the installed command runs).
 */
function childEnv (env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('RELIABILITY_') || k.startsWith('TAP') || k.startsWith('_TAPJS_')) continue
    out[k] = v
  }
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o !== '' && !o.includes('@tapjs')).join(' ')
  if (nodeOptions === '') delete out.NODE_OPTIONS
  else out.NODE_OPTIONS = nodeOptions
  return { ...out, ...env }
}

function spawnBin (args: readonly string[], env: Record<string, string>): ChildProcess {
  if (!binBuilt) throw new Error(`${binPath} is missing: run \`npm run build\` first`)
  return spawn(process.execPath, [binPath, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
}

// 'close', not 'exit': it comes once stdout and stderr are drained too.
function exitOf (child: ChildProcess, startedAt: number): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal, elapsedMs: Date.now() - startedAt }))
  })
}

function killOnTeardown (t: Teardown, child: ChildProcess): void {
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
}

/** Runs the command to its end (`--help`, `--check-config`, a bad config); SIGKILL after `timeoutMs`. */
export async function runSidecar (t: Teardown, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<RunResult> {
  const startedAt = Date.now()
  const child = spawnBin(args, env)
  killOnTeardown(t, child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const exited = exitOf(child, startedAt)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = await exited
  clearTimeout(timer)
  return { ...exit, stdout, stderr }
}

export interface RunningSidecar {
  readonly child: ChildProcess
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  readonly exited: Promise<Exit>
  stdout(): string
  stderr(): string
  /** True until the process has exited. */
  alive(): boolean
}

/**
 * Starts the sidecar on a free port of 127.0.0.1 and waits until `/readyz` answers 200 (first poll
 * done), at most `readyTimeoutMs`; the child is SIGKILLed in teardown if still alive.
 */
export async function startSidecar (t: Teardown, args: readonly string[], opts: { env?: Record<string, string>, readyTimeoutMs?: number } = {}): Promise<RunningSidecar> {
  const port = await freePort()
  const startedAt = Date.now()
  const child = spawnBin(['--port', String(port), '--host', '127.0.0.1', ...args], opts.env ?? {})
  killOnTeardown(t, child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  let exitedEarly: Exit | undefined
  const exited = exitOf(child, startedAt)
  exited.then((e) => { exitedEarly = e }, () => {})
  const sidecar: RunningSidecar = {
    child,
    base: `http://127.0.0.1:${port}`,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null
  }
  try {
    await waitFor('the sidecar\'s /readyz to answer 200', async () => {
      if (exitedEarly) throw new Error(`the sidecar exited with ${exitedEarly.code ?? exitedEarly.signal}`)
      return (await get(`${sidecar.base}/readyz`).catch(() => undefined))?.status === 200
    }, opts.readyTimeoutMs ?? 8000)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`)
  }
  return sidecar
}

/** A port nobody listens on right now: bind :0, read it, release it. */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * GET on a connection of its own (no keep-alive pool to hide a refusal or a closed socket);
 * rejects with the socket error (`err.code` `ECONNREFUSED`, `ECONNRESET`), with `ETRUNCATED` and
 * `afterHeaders: true` when the status line came but not the whole body, or after `timeoutMs`.
 */
export function get (url: string, headers: Record<string, string> = {}, timeoutMs = 3000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (s: string) => { body += s })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      // A body cut short is not a refusal: say so, the shutdown tests tell the two apart.
      res.on('close', () => {
        if (!res.complete) reject(Object.assign(new Error(`GET ${url}: the answer was cut short`), { code: 'ETRUNCATED', afterHeaders: true }))
      })
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error(`GET ${url} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })))
    req.on('error', reject)
    req.end()
  })
}

/** Polls `probe` every 25 ms until it returns true; throws naming `what` after `timeoutMs`. */
export async function waitFor (what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await probe()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

export interface RawAnswer {
  /** Everything the server sent before it closed the connection. */
  raw: string
  /** 0 when no status line came. */
  status: number
  body: string
  /** The body is as long as its Content-Length says. */
  complete: boolean
}

export interface RawRequest {
  /** Sends the blank line that ends the request's headers. */
  finish(): void
  /** Resolves when the server closes the connection, with what it sent. */
  readonly closed: Promise<RawAnswer>
  destroy(): void
}

/**
 * A request on a raw socket of its own. With `partial` only its first header lines are sent, so
 * the server holds an in-flight request that is not idle and that shutdown must wait for, until
 * `finish()`. Without it the whole request goes and the socket stays open after the answer,
 * as a keep-alive client's would. Resolves once the bytes are written.
 */
export function rawRequest (base: string, path: string, opts: { partial: boolean }): Promise<RawRequest> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let raw = ''
    socket.setEncoding('utf8')
    socket.on('data', (s: string) => { raw += s })
    const closed = new Promise<RawAnswer>((resolve) => {
      socket.on('error', () => {})
      socket.on('close', () => resolve(parseRaw(raw)))
    })
    socket.once('error', reject)
    socket.once('connect', () => {
      const head = `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`
      socket.write(opts.partial ? head : `${head}\r\n`, () => resolve({
        finish: () => { socket.write('\r\n') },
        closed,
        destroy: () => { socket.destroy() }
      }))
    })
  })
}

function parseRaw (raw: string): RawAnswer {
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(raw)?.[1] ?? 0)
  const split = raw.indexOf('\r\n\r\n')
  const body = split === -1 ? '' : raw.slice(split + 4)
  const length = /^content-length: *(\d+)\r?$/im.exec(split === -1 ? raw : raw.slice(0, split))?.[1]
  return { raw, status, body, complete: status !== 0 && length !== undefined && Buffer.byteLength(body) === Number(length) }
}
