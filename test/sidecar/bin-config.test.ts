// The built `reliability-sidecar` (dist/sidecar/bin.js) run to its end as a child process: a bad
// configuration exits 2 with one line naming the field and no secret; --check-config validates and
// exits; --help lists every setting. SPEC §6. Split from bin.test.ts (the runs that keep a sidecar
// up) so tap's jobs run the two side by side (issue 10).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { SidecarSettingList } from '../../schemas/sidecar-config.js'
import { binBuilt, binPath, runSidecar, type RunResult } from '../helpers/spawn-sidecar.js'

t.ok(binBuilt, `${binPath} exists (\`npm test\` builds it; alone, run \`npm run build\` first)`)
// Without the build every case below would only time out: skip them, the assertion above says why.
const built = binBuilt ? {} : { skip: 'dist/sidecar/bin.js is missing: run npm run build' }

// Each run is a Node.js start that loads Fastify: two at a time keep a two-core CI runner responsive.
async function inTwos<I, O> (items: readonly I[], fn: (item: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all([worker(), worker()])
  return out
}

t.test('a bad configuration: exit 2, one line naming the field, no secret', built, async (t) => {
  const cases: Array<{ name: string, args: string[], env?: Record<string, string>, field: RegExp, secrets?: string[] }> = [
    { name: 'interval not a number', args: ['--interval-ms', 'abc'], field: /"intervalMs \(--interval-ms\)".*"abc"/ },
    { name: 'timeout not below the interval', args: ['--timeout-ms', '6000', '--interval-ms', '5000'], field: /"timeoutMs \(--timeout-ms\)": must be below intervalMs/ },
    { name: 'a target that is not http', args: ['--target', 'ftp://x'], field: /"target \(--target\)".*"ftp:"/ },
    { name: 'an unknown flag', args: ['--no-such-flag', '1'], field: /"--no-such-flag": unknown flag/ },
    { name: 'a port out of range from the environment', args: [], env: { RELIABILITY_PORT: '70000' }, field: /"port \(--port\)".*from RELIABILITY_PORT/ },
    // The secret given again as the bad value: the one place a message would echo it.
    {
      name: 'a token, and itself as a bad value',
      args: ['--token', 's3cr3t-value', '--interval-ms', 's3cr3t-value'],
      field: /"intervalMs \(--interval-ms\)": expected an integer/,
      secrets: ['s3cr3t-value']
    },
    {
      name: 'target credentials, and the password as a bad value',
      args: ['--target', 'http://user:hunter2@127.0.0.1:1', '--port', 'hunter2'],
      field: /"port \(--port\)": expected an integer/,
      secrets: ['hunter2']
    }
  ]
  const results = await inTwos(cases, (c) => runSidecar(t, c.args, c.env))
  for (const [i, c] of cases.entries()) {
    const r = results[i]
    t.test(c.name, async (t) => {
      t.equal(r.code, 2, 'exit code 2')
      t.equal(r.stdout, '', 'nothing on stdout')
      const lines = r.stderr.split('\n')
      t.equal(lines.length, 2, `exactly one line on stderr: ${JSON.stringify(r.stderr)}`)
      t.equal(lines[1], '', 'ending with a newline')
      t.match(lines[0], /^reliability-sidecar: invalid setting /)
      t.match(lines[0], c.field)
      for (const secret of c.secrets ?? []) t.notMatch(r.stderr + r.stdout, secret, `${secret} is not printed`)
    })
  }
})

t.test('--check-config validates and exits', built, async (t) => {
  const [valid, fromEnv, invalid] = await inTwos<[string[], Record<string, string>?], RunResult>([
    [['--check-config', '--target', 'http://user:hunter2@127.0.0.1:3000/app', '--interval-ms', '1000', '--timeout-ms', '500']],
    [[], { RELIABILITY_CHECK_CONFIG: 'true', RELIABILITY_TARGET: 'http://127.0.0.1:3000', RELIABILITY_TOKEN: 's3cr3t-value' }],
    [['--check-config', '--target', 'http://127.0.0.1:3000', '--timeout-ms', '5000']]
  ], ([args, env]) => runSidecar(t, args, env))
  t.equal(valid.code, 0)
  t.equal(valid.stderr, '')
  t.equal(valid.stdout, 'reliability-sidecar: configuration is valid (target http://***:***@127.0.0.1:3000/app)\n', 'the target, credentials redacted')
  t.notMatch(valid.stdout, 'hunter2')

  t.equal(fromEnv.code, 0, 'RELIABILITY_CHECK_CONFIG=true works as the flag')
  t.match(fromEnv.stdout, 'target http://127.0.0.1:3000')
  t.notMatch(fromEnv.stdout + fromEnv.stderr, 's3cr3t-value')

  t.equal(invalid.code, 2)
  t.equal(invalid.stdout, '')
  t.match(invalid.stderr, /^reliability-sidecar: invalid setting "timeoutMs \(--timeout-ms\)"[^\n]*\n$/)
})

// Issue 8: --check-config said valid, then the start exited 1 on an option the user never set
// (`invalid option "maxStaleMs"`), or on "URI malformed"; both now stop at once with exit 2 and the
// same line naming the flag. A real start would listen on port 0 and poll a closed port.
t.test('--check-config and a real start agree on a bad setting, naming the flag set', built, async (t) => {
  const start = ['--target', 'http://127.0.0.1:1', '--port', '0', '--host', '127.0.0.1']
  const cases: Array<{ args: string[], field: RegExp }> = [
    { args: ['--interval-ms', '40000000'], field: /^reliability-sidecar: invalid setting "intervalMs \(--interval-ms\)": [^\n]*\(from --interval-ms\)\n$/ },
    { args: ['--target', 'http://us%ZZer:pw@127.0.0.1:1'], field: /^reliability-sidecar: invalid setting "target \(--target\)": [^\n]*\(from --target\)\n$/ }
  ]
  const runs = await inTwos(cases.flatMap((c) => [[...start, ...c.args, '--check-config'], [...start, ...c.args]]), (args) => runSidecar(t, args))
  for (const [i, c] of cases.entries()) {
    const [check, real] = [runs[2 * i], runs[2 * i + 1]]
    t.equal(check.code, 2, `${c.args.join(' ')} --check-config: exit 2`)
    t.equal(real.code, 2, `${c.args.join(' ')}: the start exits 2 too`)
    t.match(check.stderr, c.field)
    t.equal(real.stderr, check.stderr, 'the same line')
    t.equal(check.stdout + real.stdout, '')
    t.notMatch(check.stderr, 'pw@', 'no credentials')
  }
})

t.test('--check-config: a short interval alone is valid; the target is printed on one line; a FIFO config is refused', built, async (t) => {
  const fifo = join(t.testdir(), 'c.json')
  execFileSync('mkfifo', [fifo])
  const [shortInterval, newline, fromFifo] = await inTwos([
    ['--check-config', '--interval-ms', '1000'],
    ['--check-config', '--target', 'http://127.0.0.1:3000/a b\n'],
    ['--check-config', '--config', fifo]
  ], (args) => runSidecar(t, args))
  t.equal(shortInterval.code, 0, 'the unset timeout follows the interval (issue 8, item 9)')
  t.equal(shortInterval.stderr, '')

  t.equal(newline.code, 0)
  t.equal(newline.stdout, 'reliability-sidecar: configuration is valid (target http://127.0.0.1:3000/a%20b)\n', 'the URL as used, on one line')

  t.equal(fromFifo.code, 2, 'refused, not waiting for a writer')
  t.match(fromFifo.stderr, /^reliability-sidecar: invalid setting "config \(--config\)": config file "[^"]*c\.json" is not a regular file\n$/)
})

t.test('--help lists every setting with its default', built, async (t) => {
  const long = await runSidecar(t, ['--help'])
  t.equal(long.code, 0)
  t.equal(long.stderr, '')
  const lines = long.stdout.split('\n')
  for (const s of SidecarSettingList) {
    const at = lines.findIndex((line) => new RegExp(`^ +(-\\w, )?${s.flag}( |$)`).test(line))
    t.ok(at !== -1, `${s.flag} is listed`)
    if (at === -1) continue
    if (s.sources.includes('env')) t.match(lines[at], s.env, `${s.flag}: its variable ${s.env}`)
    t.match(lines.slice(at + 1, at + 3).join('\n'), /default: /, `${s.flag}: its default`)
  }
  t.match(long.stdout, /--interval-ms <integer> +RELIABILITY_INTERVAL_MS\n.*\n +default: 5000;/)
})
