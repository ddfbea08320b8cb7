import t from 'tap'
import { readFileSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { validate } from 'dockerfile-utils'
import { SidecarSettings } from '../../schemas/sidecar-config.js'
import { imageMajor } from './node-lines.js'
import { projectRoot } from '../helpers/project-root.js'

// No Docker engine runs in CI: the Dockerfile is linted (dockerfile-utils) and its structure read
// here; the HEALTHCHECK command, being plain node, is run for real against a local server.

const root = projectRoot
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8')
const dockerignore = readFileSync(new URL('.dockerignore', root), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: Record<string, string> }

interface Instruction { keyword: string, args: string, line: number }

/** Instructions with their continuation lines joined; comments and parser directives dropped. */
function instructions (text: string): Instruction[] {
  const out: Instruction[] = []
  let pending: Instruction | null = null
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (pending === null && (line === '' || line.startsWith('#'))) return
    const continued = line.endsWith('\\')
    const body = continued ? line.slice(0, -1).trim() : line
    if (pending === null) {
      const [keyword, ...rest] = body.split(/\s+/)
      pending = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: i + 1 }
    } else if (!line.startsWith('#')) {
      pending.args = `${pending.args} ${body}`.trim()
    }
    if (!continued) {
      out.push(pending)
      pending = null
    }
  })
  return out
}

const all = instructions(dockerfile)
/** Global ARG defaults (before the first FROM), which FROM lines may use. */
const globalArgs = new Map<string, string>()
for (const ins of all) {
  if (ins.keyword === 'FROM') break
  if (ins.keyword === 'ARG') {
    const [name, value = ''] = ins.args.split('=')
    globalArgs.set(name, value)
  }
}
const stages: Instruction[][] = []
for (const ins of all) {
  if (ins.keyword === 'FROM') stages.push([])
  stages.at(-1)?.push(ins)
}
const final = stages.at(-1) ?? []
const firstOf = (stage: Instruction[], keyword: string): Instruction | undefined => stage.find((i) => i.keyword === keyword)
const allOf = (stage: Instruction[], keyword: string): Instruction[] => stage.filter((i) => i.keyword === keyword)
const execForm = (ins: Instruction | undefined): string[] => JSON.parse(ins?.args ?? 'null') as string[]

t.test('dockerfile-utils finds no error and no warning', async (t) => {
  const diagnostics = validate(dockerfile)
  t.same(diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`), [])
})

t.test('the linter is live: it reports a broken Dockerfile', async (t) => {
  const diagnostics = validate('from node:20\nHEALTHCHECK --interval=soon CMD node -e 1\nUSER\n')
  t.ok(diagnostics.length >= 3, diagnostics.map((d) => d.message).join('; '))
})

// Node 26 is the Active LTS line (the Dockerfile's comment says why); engines.test.ts checks that
// engines.node and the production dependencies admit it, and .ci/run runs the suite on it.
t.test('multi-stage on a Node 26 slim image', async (t) => {
  t.ok(stages.length >= 2, 'at least two FROM stages')
  for (const stage of stages) {
    const image = stage[0].args.split(/\s+/)[0].replace(/^\$\{(\w+)\}$/, (_, name: string) => globalArgs.get(name) ?? '')
    t.match(image, /^node:26(\.\d+)*-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `stage at line ${stage[0].line}: ${image}`)
  }
  t.equal(imageMajor(dockerfile), 26, 'the line .ci/run installs')
})

t.test('a comment shows how to pin the base image by digest', async (t) => {
  const comments = dockerfile.split('\n').filter((l) => l.trim().startsWith('#')).join('\n')
  const tag = (globalArgs.get('NODE_IMAGE') ?? '').replace(/@sha256:.*$/, '')
  t.ok(comments.includes(`NODE_IMAGE=${tag}@sha256:<digest>`), `the pinned form of ${tag}`)
})

t.test('the build stage installs everything and builds', async (t) => {
  const build = stages[0]
  t.match(build[0].args, /\sAS build$/i)
  const runs = allOf(build, 'RUN').map((i) => i.args)
  t.ok(runs.some((r) => /\bnpm ci\b/.test(r)), 'npm ci')
  t.ok(runs.some((r) => /\bnpm run build\b/.test(r)), 'npm run build')
})

t.test('the runtime stage holds production dependencies and the built files only', async (t) => {
  const runs = allOf(final, 'RUN').map((i) => i.args)
  const install = runs.find((r) => /\bnpm ci\b/.test(r))
  t.ok(install, 'npm ci in the runtime stage')
  t.match(install, /--omit=dev/)
  // `prepare` runs the build, whose compiler is a devDependency.
  t.match(install, /--ignore-scripts/)
  t.notOk(runs.some((r) => /\bnpm (install|i|run)\b/.test(r)), 'no npm install or build here')
  const copies = allOf(final, 'COPY').map((i) => i.args)
  t.ok(copies.some((c) => /^--from=build\s+\/app\/dist\s+\.\/dist$/.test(c)), 'dist/ from the build stage')
  t.ok(copies.some((c) => /package\.json/.test(c) && /package-lock\.json/.test(c)), 'package files')
  t.notOk(copies.some((c) => !c.startsWith('--from=') && /\b(plugin|sidecar|schemas|test)\b/.test(c)), 'no sources copied')
  t.ok(allOf(final, 'ENV').some((i) => /\bNODE_ENV=production\b/.test(i.args)), 'NODE_ENV=production')
})

t.test('runs as a non-root user', async (t) => {
  const user = allOf(final, 'USER').at(-1)
  t.ok(user, 'USER in the final stage')
  const [name] = (user?.args ?? '').split(':')
  t.notOk(['', 'root', '0'].includes(name), `USER ${user?.args}`)
  // Kubernetes' runAsNonRoot can only check a numeric user.
  t.match(name, /^\d+$/, 'numeric')
  t.ok(final.indexOf(user as Instruction) < final.indexOf(firstOf(final, 'ENTRYPOINT') as Instruction), 'before the entrypoint')
})

t.test('entrypoint, port, stop signal and labels', async (t) => {
  t.same(execForm(firstOf(final, 'ENTRYPOINT')), ['node', 'dist/sidecar/bin.js'])
  t.equal(`./${execForm(firstOf(final, 'ENTRYPOINT'))[1]}`, pkg.bin['reliability-sidecar'], 'the package bin')
  t.same(allOf(final, 'EXPOSE').map((i) => i.args), [String(SidecarSettings.port.default)])
  t.equal(firstOf(final, 'STOPSIGNAL')?.args, 'SIGTERM')
  const labels = allOf(final, 'LABEL').map((i) => i.args).join(' ')
  for (const key of ['title', 'description', 'version', 'revision', 'licenses', 'source']) {
    t.match(labels, `org.opencontainers.image.${key}=`, key)
  }
})

t.test('HEALTHCHECK: /livez through node, on the configured port', async (t) => {
  const checks = allOf(final, 'HEALTHCHECK')
  t.equal(checks.length, 1)
  const cmd = checks[0].args.replace(/^(--\S+\s+)*CMD\s+/, '')
  const argv = JSON.parse(cmd) as string[]
  t.equal(argv[0], 'node')
  t.equal(argv[1], '-e')
  t.match(argv[2], '/livez')
  t.match(argv[2], `process.env.${SidecarSettings.port.env}`)
  t.match(argv[2], String(SidecarSettings.port.default))
  t.match(checks[0].args, /--timeout=\d+s/)
})

t.test('no curl or wget', async (t) => {
  for (const ins of all) t.notMatch(ins.args, /\b(curl|wget)\b/, `line ${ins.line}`)
})

// The health check's script itself, run as Docker would run it (minus Docker).
t.test('the HEALTHCHECK script exits 0 on a 200 /livez and 1 otherwise', async (t) => {
  const script = (JSON.parse(allOf(final, 'HEALTHCHECK')[0].args.replace(/^(--\S+\s+)*CMD\s+/, '')) as string[])[2]
  const run = (port: number): Promise<number> => new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { env: { ...process.env, [SidecarSettings.port.env]: String(port) }, timeout: 10_000 },
      (err) => { resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : -1) })
  })
  const listen = async (code: number): Promise<{ server: Server, port: number, paths: string[] }> => {
    const paths: string[] = []
    const server = createServer((req, res) => {
      paths.push(req.url ?? '')
      res.statusCode = req.url === '/livez' ? code : 404
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
    return { server, port: (server.address() as AddressInfo).port, paths }
  }

  const live = await listen(200)
  t.equal(await run(live.port), 0, 'live')
  t.same(live.paths, ['/livez'])
  const sick = await listen(503)
  t.equal(await run(sick.port), 1, '503')
  const gone = await listen(200)
  await new Promise<void>((resolve) => gone.server.close(() => resolve()))
  t.equal(await run(gone.port), 1, 'connection refused')
})

t.test('.dockerignore keeps local builds and dependencies out, and the sources in', async (t) => {
  const ignored = new Set(dockerignore.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')))
  for (const entry of ['node_modules', 'dist', '.tap', '.git', 'test', 'bench']) t.ok(ignored.has(entry), `ignores ${entry}`)
  const copied = stages[0].filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1))
  t.ok(copied.length > 0)
  for (const source of copied) t.notOk(ignored.has(source), `${source} reaches the build`)
})
