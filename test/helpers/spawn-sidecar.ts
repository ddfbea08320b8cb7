// The built `reliability-sidecar` (dist/sidecar/bin.js) as a real child process, and the small
// HTTP tools its tests need: a free port, a one-connection GET that reports refusals by code, and
// a wait for a condition. Children are always killed in teardown, so a failing test never leaves one
// behind. Nothing here measures time: a wait ends on the event it waits for; its deadline is a hang
// guard (minutes), there so a broken build fails with a message instead of at tap's file timeout.
// A busy machine (issue 10: both cores taken by another job) makes things slower, never wrong.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect, createServer } from 'node:net'
import { HANG_GUARD_MS, waitFor } from './wait-for.js'
import { projectPath } from './project-root.js'

/** Built before tap runs, by `npm test` (`npm run build:test`) as by `npm run build`. */
export const binPath = projectPath('dist/sidecar/bin.js')
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

/**
 * Runs the command to its end (`--help`, `--check-config`, a bad config); SIGKILL after `timeoutMs`,
 * a hang guard raised to at least HANG_GUARD_MS.
 */
export async function runSidecar (t: Teardown, args: readonly string[], env: Record<string, string> = {}, timeoutMs = HANG_GUARD_MS): Promise<RunResult> {
  const startedAt = Date.now()
  const child = spawnBin(args, env)
  killOnTeardown(t, child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const exited = exitOf(child, startedAt)
  const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(timeoutMs, HANG_GUARD_MS))
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

/** The line bin.ts logs once the server listens and the poller has started (pino JSON, info). */
export const LISTENING_MSG = 'reliability-sidecar listening'

/**
 * Starts the sidecar on a free port of 127.0.0.1 and waits for its readiness: first the line it
 * logs once it listens (so the log level must be info or debug), then `/readyz` answering 200 (the
 * first poll round done). No deadline is measured: the wait fails at once if the child exits, and
 * only a hang (`readyTimeoutMs`, raised to at least HANG_GUARD_MS) fails it otherwise. The child
 * is SIGKILLed in teardown if still alive.
 */
export async function startSidecar (t: Teardown, args: readonly string[], opts: { env?: Record<string, string>, readyTimeoutMs?: number } = {}): Promise<RunningSidecar> {
  const level = args[args.indexOf('--log-level') + 1]
  if (args.includes('--log-level') && !['info', 'debug', 'trace'].includes(level)) {
    throw new Error(`startSidecar waits for the "${LISTENING_MSG}" line, logged at info: --log-level ${level} hides it`)
  }
  const guardMs = Math.max(opts.readyTimeoutMs ?? 0, HANG_GUARD_MS)
  const port = await freePort()
  const startedAt = Date.now()
  const child = spawnBin(['--port', String(port), '--host', '127.0.0.1', ...args], opts.env ?? {})
  killOnTeardown(t, child)
  let stdout = ''
  let stderr = ''
  let onOutput = () => {}
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { stdout += s; onOutput() })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  let exitedEarly: Exit | undefined
  const exited = exitOf(child, startedAt)
  const sidecar: RunningSidecar = {
    child,
    base: `http://127.0.0.1:${port}`,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null
  }
  const fail = (why: string) => new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr}`)
  let guard: NodeJS.Timeout | undefined
  try {
    // Event-driven: each chunk of stdout is checked as it comes; the child's exit ends the wait.
    await new Promise<void>((resolve, reject) => {
      const listening = () => stdout.split('\n').some((line) => line.startsWith('{') && line.includes(`"msg":"${LISTENING_MSG}"`))
      onOutput = () => { if (listening()) resolve() }
      exited.then((e) => {
        exitedEarly = e
        reject(fail(`the sidecar exited with ${e.code ?? e.signal} before it listened`))
      }, reject)
      guard = setTimeout(() => reject(fail(`hang: the sidecar logged no "${LISTENING_MSG}" line in ${guardMs} ms`)), guardMs)
      onOutput()
    })
    // It listens and its first round has begun: ready once that round ends, whatever its results.
    // The child's exit ends this wait too (a check that throws would be tried again until the guard).
    const outcome = await waitFor('the sidecar\'s /readyz to answer 200 (its first poll round done)', async () => {
      if (exitedEarly) return 'exited'
      return (await get(`${sidecar.base}/readyz`).catch(() => undefined))?.status === 200 ? 'ready' : undefined
    }, guardMs)
    if (outcome === 'exited') throw fail(`the sidecar exited with ${exitedEarly?.code ?? exitedEarly?.signal}`)
  } catch (err) {
    throw (err as Error).message.includes('\nstdout: ') ? err : fail((err as Error).message)
  } finally {
    clearTimeout(guard)
    onOutput = () => {}
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
 * `afterHeaders: true` when the status line came but not the whole body, or with `ETIMEDOUT` after
 * `timeoutMs` of silence (by default a hang guard: a busy machine answers late, not wrongly).
 */
export function get (url: string, headers: Record<string, string> = {}, timeoutMs = HANG_GUARD_MS): Promise<Answer> {
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

export interface RawAnswer {
  /** Everything the server sent before it closed the connection. */
  raw: string
  /** The final answer's status (an interim `100 Continue` is skipped); 0 when no status line came. */
  status: number
  /** The final answer's header block, status line included. */
  head: string
  body: string
  /** The body is as long as its Content-Length says. */
  complete: boolean
}

export interface RawRequest {
  /** Sends what was held back: the blank line that ends the headers, or the rest of the body. */
  finish(): void
  /** Resolves with the first complete answer, while the connection may stay open (keep-alive). */
  readonly answered: Promise<RawAnswer>
  /** Resolves when the connection closes (the server closed it, or `destroy()`), with what came. */
  readonly closed: Promise<RawAnswer>
  destroy(): void
  /** The client's side of the connection: the server sees it as the socket's `remotePort`. */
  readonly localPort: number
}

/**
 * What a raw-socket request holds back from the server:
 * - `nothing`: the connection is opened and never sends a byte;
 * - `line`: only part of the request line is sent;
 * - `headers`: the request line and one header, not the blank line that ends them;
 * - `body`: a POST whose headers are whole (with `Expect: 100-continue`) and whose body is half sent.
 * Node emits a request only once its headers are read, so with `nothing`, `line` and `headers` the
 * server holds a connection but no request; with `body` it holds a request in flight, which
 * Fastify (routing it to its 404 handler) answers only once the body is whole.
 */
export type RawHold = 'nothing' | 'line' | 'headers' | 'body'

/**
 * A GET (or with `hold: 'body'` a POST) on a raw socket of its own. Without `hold` the whole request
 * goes and the socket stays open after the answer, as a keep-alive client's would. Resolves once the
 * bytes are written; with `hold: 'body'` once the server has answered `100 Continue`, so the request
 * is surely read and in flight.
 */
export function rawRequest (base: string, path: string, opts: { hold?: RawHold } = {}): Promise<RawRequest> {
  const { hostname, port } = new URL(base)
  const head = `${opts.hold === 'body' ? 'POST' : 'GET'} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`
  const body = '{"held":"in flight"}'
  const half = body.length >> 1
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let raw = ''
    let onAnswer: (a: RawAnswer) => void = () => {}
    const answered = new Promise<RawAnswer>((resolve) => { onAnswer = resolve })
    let onContinue: () => void = () => {}
    socket.setEncoding('utf8')
    socket.on('data', (s: string) => {
      raw += s
      if (/^HTTP\/1\.1 100 /.test(raw)) onContinue()
      const a = parseRaw(raw)
      if (a.complete) onAnswer(a)
    })
    const closed = new Promise<RawAnswer>((resolve) => {
      socket.on('error', () => {})
      socket.on('close', () => resolve(parseRaw(raw)))
    })
    socket.once('error', reject)
    const request: RawRequest = {
      finish: () => { socket.write(opts.hold === 'body' ? body.slice(half) : '\r\n') },
      answered,
      closed,
      destroy: () => { socket.destroy() },
      get localPort () { return socket.localPort ?? 0 }
    }
    const written = () => resolve(request)
    socket.once('connect', () => {
      switch (opts.hold) {
        case 'nothing': return written()
        case 'line': return socket.write(head.slice(0, head.indexOf(' ') + 3), written)
        case 'headers': return socket.write(head, written)
        case 'body':
          onContinue = () => {
            onContinue = () => {}
            socket.write(body.slice(0, half), written)
          }
          return socket.write(`${head}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`)
        default: return socket.write(`${head}\r\n`, written)
      }
    })
  })
}

function parseRaw (raw: string): RawAnswer {
  // Interim answers (`100 Continue`) come before the final one: skip them.
  const final = raw.replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '')
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(final)?.[1] ?? 0)
  const split = final.indexOf('\r\n\r\n')
  const head = split === -1 ? final : final.slice(0, split)
  const body = split === -1 ? '' : final.slice(split + 4)
  const length = /^content-length: *(\d+)\r?$/im.exec(head)?.[1]
  return { raw, status, head, body, complete: status !== 0 && split !== -1 && length !== undefined && Buffer.byteLength(body) === Number(length) }
}
