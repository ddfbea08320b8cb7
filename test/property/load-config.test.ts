// Properties of the sidecar's configuration loading (issue 5): any argv, environment and config
// file either resolve to a frozen configuration the schema accepts, or are refused with
// RELIABILITY_ERR_INVALID_CONFIG naming what was wrong; nothing else is ever thrown, and the token
// and the target's password never reach a message. Valid settings generated from the settings
// table always resolve, to exactly the value of the source that wins (flags > env > file > default).
import t from 'tap'
import fc from 'fast-check'
import { Value } from '@sinclair/typebox/value'
import { loadConfig, type LoadConfigInput, type ResolvedSidecarConfig } from '../../sidecar/config/load-config.js'
import { createSidecar } from '../../sidecar/create-sidecar.js'
import { SidecarConfig, SidecarSettingList, SidecarSettings, type SidecarSetting } from '../../schemas/sidecar-config.js'
import { silentLog } from '../helpers/silent-log.js'

// Run counts are sized for a few seconds per file on a loaded 2-core CI machine; FC_RUNS_SCALE=20
// multiplies them for a longer hunt (a failure prints the seed and path that replay it).
const runs = (n: number): number => Math.max(1, Math.round(n * (Number(process.env.FC_RUNS_SCALE) || 1)))

const TOKEN = 'tok-7f3a9c1e5d2e81'
const PASSWORD = 'pw-b81e4d0c91c4b7'
const TARGET = `http://ops:${PASSWORD}@app.internal:3000`
const CONFIG_PATH = '/etc/reliability/sidecar.json'

/** Whether `text` shows the secret, or any 8 characters in a row of it: a partial leak is a leak. */
function leaks (text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true
  return false
}

const byFlag = new Map<string, SidecarSetting>()
for (const s of SidecarSettingList) {
  if (!s.sources.includes('flag')) continue
  byFlag.set(s.flag, s)
  if (s.short !== undefined) byFlag.set(`-${s.short}`, s)
}
const fileKeys = new Set(SidecarSettingList.filter((s) => s.sources.includes('file')).map((s) => s.name as string))
const settingFields = new Set(SidecarSettingList.map((s) => `${s.name} (${s.flag})`))
/** How parse-args and load-config show a name the user typed: JSON-escaped, at most 60 characters. */
const shown = (name: string): string => JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name).slice(1, -1)

/**
 * What an error message may name: a real setting with its flag; or, when the mistake is a name
 * that does not exist or a stray value, that name as typed or the argument's position. Matched as
 * the message's whole prefix: a name as typed may itself hold `": `.
 */
function namesSomething (message: string, input: { argv: string[], file: unknown }): boolean {
  const fields = [...settingFields]
  input.argv.forEach((arg, i) => {
    if (!arg.startsWith('-')) fields.push(`argument ${i + 1}`)
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg
    if (arg.startsWith('-') && !byFlag.has(name)) fields.push(shown(name))
  })
  if (typeof input.file === 'object' && input.file !== null) {
    for (const k of Object.keys(input.file)) if (!fileKeys.has(k)) fields.push(shown(k))
  }
  return fields.some((field) => message.startsWith(`invalid setting "${field}": `))
}

interface Outcome { ok: boolean, value?: unknown, err?: unknown }
async function outcome (input: LoadConfigInput): Promise<Outcome> {
  try {
    return { ok: true, value: await loadConfig(input) }
  } catch (err) {
    return { ok: false, err }
  }
}

function acceptable (config: unknown): string | undefined {
  if (!Object.isFrozen(config)) return 'not frozen'
  if (!Value.Check(SidecarConfig, config)) return `schema: ${Value.Errors(SidecarConfig, config).First()?.path}`
  const c = config as SidecarConfig
  if (c.timeoutMs >= c.intervalMs) return 'timeoutMs not below intervalMs'
  if (c.drainDelayMs > 0 && c.drainDelayMs >= c.gracePeriodMs) return 'drainDelayMs not below gracePeriodMs'
  if (c.target !== null && !/^https?:$/.test(new URL(c.target).protocol)) return `target ${c.target}`
  return undefined
}

// ---- Arbitrary input ----------------------------------------------------------------------------

const flagNames = [...byFlag.keys()]
const envNames = SidecarSettingList.filter((s) => s.sources.includes('env')).map((s) => s.env)
const roughValue = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('', 'off', '0', '1', '-1', '100', '5000', '65536', '5s', '1e3', '0x10', '99999999999999999999',
      'tcp://10.0.0.1:9000', 'true', 'false', 'null', ' 8080', '8080 ', '٣', 'down', 'degraded', 'debug', '/health', 'health',
      '/a b', '/x?y', 'http://127.0.0.1:3000', 'https://app', 'ftp://x', 'http://', 'app_metric_total', '9metric', 'a b',
      '--port', '-', TOKEN, TARGET, `x${TOKEN}`, `${PASSWORD}`, `http://u:${PASSWORD}@h:99999`)
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer().map(String) }
)
const argItem: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...flagNames), roughValue, fc.boolean()).map(([f, v, eq]) => eq ? [`${f}=${v}`] : [f, v]) },
  { weight: 1, arbitrary: fc.constantFrom('--check-config', '--check-config=false', '--help=0', '--help=false', '-h', '--help').map((a) => [a]) },
  { weight: 1, arbitrary: fc.constantFrom('--nope', '-x', '--Port', '--port-', '---port', '-', '--', '--interval_ms=5').map((a) => [a]) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => [`-${s}`]) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => [s]) }
)
const jsonish = fc.oneof(
  { weight: 3, arbitrary: roughValue },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }
)
const fileKey = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...SidecarSettingList.map((s) => s.name as string)) },
  { weight: 1, arbitrary: fc.constantFrom('colour', 'interval_ms', 'Port', '__proto__', 'constructor', 'x'.repeat(80)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }
)
/** What the file reader does: answer JSON of an object (the usual case), other text, or fail. */
const fileAnswer = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fileKey, jsonish, { maxKeys: 6 }).map((data) => ({ data, text: JSON.stringify(data) })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '[]', 'null', '42', '"x"', '{', `{"token": "${TOKEN}" oops}`, `{"token": ${TOKEN}}`,
      '\uFEFF{}', '{"port": 1,}').map((text) => ({ data: undefined as unknown, text }))
  },
  { weight: 1, arbitrary: fc.constantFrom(Object.assign(new Error('no such file'), { code: 'ENOENT' }), new Error(`EACCES ${TOKEN}`), 'thrown string', null, undefined).map((error) => ({ data: undefined as unknown, error })) }
)
/** Where the planted secrets go: nowhere, a flag, the environment or the file. */
const place = fc.constantFrom('none', 'flag', 'env', 'file')

const arbitraryInput = fc.record({
  argv: fc.array(argItem, { maxLength: 6 }).map((items) => items.flat()),
  env: fc.dictionary(fc.oneof(fc.constantFrom(...envNames), fc.constantFrom('RELIABILITY_SERVICE_HOST', 'RELIABILITY_PORT_9000_TCP', 'PATH', 'reliability_port')),
    roughValue, { maxKeys: 5 }),
  file: fc.option(fileAnswer, { nil: undefined }),
  configBy: fc.constantFrom('flag', 'env'),
  tokenAt: place,
  targetAt: place
})

t.test('any argv, environment and file: a frozen valid config or INVALID_CONFIG naming the field, never a secret', async (t) => {
  let resolved = 0
  let refused = 0
  await fc.assert(fc.asyncProperty(arbitraryInput, async ({ argv, env, file, configBy, tokenAt, targetAt }) => {
    const data: Record<string, unknown> | undefined = file !== undefined && 'data' in file && typeof file.data === 'object' && file.data !== null
      ? { ...file.data as Record<string, unknown> }
      : undefined
    const args = [...argv]
    const vars: Record<string, string> = { ...env }
    // A secret is one only where it was given as one: the same text given to another setting
    // alone is that setting's value, and may be echoed like any other. One planted in the file is
    // given only if the file is read: when another --config wins, the sidecar never sees it.
    const secrets: Array<{ secret: string, inFile: boolean }> = []
    const plant = (at: string, flag: string, envName: string, key: string, value: string, secret: string) => {
      if (at === 'flag') args.push(`${flag}=${value}`)
      else if (at === 'env') vars[envName] = value
      else if (at === 'file' && data !== undefined) data[key] = value
      else return
      secrets.push({ secret, inFile: at === 'file' })
    }
    plant(tokenAt, '--token', 'RELIABILITY_TOKEN', 'token', TOKEN, TOKEN)
    plant(targetAt, '--target', 'RELIABILITY_TARGET', 'target', TARGET, PASSWORD)
    if (file !== undefined) {
      if (configBy === 'flag') args.push(`--config=${CONFIG_PATH}`)
      else vars.RELIABILITY_CONFIG = CONFIG_PATH
    }
    const text = data !== undefined ? JSON.stringify(data) : file !== undefined && 'text' in file ? file.text : undefined
    let fileRead = false
    const readFile = async (path: string): Promise<string> => {
      if (path !== CONFIG_PATH || file === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' })
      if ('error' in file) throw file.error
      fileRead = true
      return text as string
    }

    const result = await outcome({ argv: args, env: vars, readFile })
    if (result.ok) {
      resolved++
      const wrong = acceptable(result.value)
      if (wrong !== undefined) throw new Error(wrong)
      return
    }
    refused++
    const err = result.err as { code?: unknown, message?: unknown }
    if (!(result.err instanceof Error) || err.code !== 'RELIABILITY_ERR_INVALID_CONFIG') throw result.err
    const message = String(err.message)
    if (!namesSomething(message, { argv: args, file: data })) throw new Error(`names nothing: ${message}`)
    if (secrets.some(({ secret, inFile }) => (fileRead || !inFile) && leaks(message, secret))) throw new Error(`a secret shows: ${message}`)
  }), { numRuns: runs(1500) })
  t.ok(resolved > 30 && refused > 300, `both outcomes exercised (resolved: ${resolved}, refused: ${refused})`)
})

// ---- Valid settings, from the settings table ----------------------------------------------------

type Source = 'flag' | 'env' | 'file'
/** One setting's winning value and where it comes from; `shadowed` are values that must lose. */
interface Pick { name: string, source: Source, value: unknown, text: string, fileValue: unknown, shadowed: Array<{ source: Source, text: string }> }

/** A valid value of the setting, in its resolved form, with its spelling as a string and in JSON. */
function validValue (s: SidecarSetting): fc.Arbitrary<{ value: unknown, text: string, fileValue: unknown }> {
  const same = (value: unknown) => ({ value, text: String(value), fileValue: value })
  const schema = s.schema as { minimum?: number, maximum?: number, pattern?: string, anyOf?: Array<{ pattern?: string, const?: string }> }
  switch (s.kind) {
    case 'number':
      return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 1e6 }).map(same)
    case 'boolean':
      return fc.tuple(fc.boolean(), fc.boolean()).map(([b, digit]) => ({ value: b, text: digit ? (b ? '1' : '0') : String(b), fileValue: b }))
    case 'enum':
      return fc.constantFrom(...(schema.anyOf ?? []).map((o) => o.const as string)).map(same)
    case 'url':
      return fc.webUrl({ validSchemes: ['http', 'https'], authoritySettings: { withUserInfo: true, withPort: true }, withQueryParameters: true, withFragments: true })
        .filter((u) => URL.canParse(u)).map(same)
    case 'path':
      return fc.oneof(
        fc.stringMatching(/^\/[^\s?#]{0,12}$/).map(same),
        fc.constantFrom<[string, unknown]>(['off', 'off'], ['off', false], ['off', null]).map(([text, fileValue]) => ({ value: null, text, fileValue }))
      )
    default: {
      const pattern = schema.pattern ?? schema.anyOf?.find((o) => o.pattern !== undefined)?.pattern
      const nullable = schema.anyOf !== undefined
      const str = pattern === undefined ? fc.string({ minLength: 1, maxLength: 16 }) : fc.stringMatching(new RegExp(pattern.replace(/[*+]\$$/, '{1,16}$')))
      // A value `null` can only be written in the file.
      return nullable ? fc.oneof(str.map(same), fc.constant({ value: null, text: '', fileValue: null })) : str.map(same)
    }
  }
}

const settable = SidecarSettingList.filter((s) => s.name !== 'config' && s.name !== 'help')
const rank: Record<Source, number> = { flag: 0, env: 1, file: 2 }

const pick = (s: SidecarSetting): fc.Arbitrary<Pick | undefined> => fc.option(
  fc.record({
    v: validValue(s),
    source: fc.constantFrom(...s.sources),
    shadowed: fc.array(fc.tuple(fc.constantFrom<Source>('flag', 'env', 'file'), roughValue), { maxLength: 2 })
  }).map(({ v, source, shadowed }): Pick => {
    // `null` cannot come from a flag or a variable: move it to the file.
    const from: Source = v.value === null && v.text === '' ? 'file' : source
    return {
      name: s.name,
      source: from,
      ...v,
      // Lower-priority sources (and an earlier repeat of the flag) hold anything: they must lose.
      shadowed: shadowed.filter(([at]) => s.sources.includes(at) && (rank[at] > rank[from] || (at === 'flag' && from === 'flag')))
        .map(([at, text]) => ({ source: at, text }))
    }
  }),
  { nil: undefined, freq: 2 }
)

const validInput = fc.tuple(...settable.map(pick), fc.constantFrom('flag', 'env')).map((all) => {
  const configBy = all.pop() as 'flag' | 'env'
  const picks = (all as Array<Pick | undefined>).filter((p): p is Pick => p !== undefined)
  // Keep a set timeout below the interval, as the sidecar requires (an unset one follows it).
  const interval = picks.find((p) => p.name === 'intervalMs')
  const timeout = picks.find((p) => p.name === 'timeoutMs')
  const intervalMs = (interval?.value as number | undefined) ?? SidecarSettings.intervalMs.default
  if (timeout !== undefined && (timeout.value as number) >= intervalMs) {
    const fixed = intervalMs - 1
    Object.assign(timeout, { value: fixed, text: String(fixed), fileValue: fixed })
  }
  // And a drain delay below the grace period: a drain longer than the grace would be cut short.
  const grace = picks.find((p) => p.name === 'gracePeriodMs')
  const drain = picks.find((p) => p.name === 'drainDelayMs')
  const graceMs = (grace?.value as number | undefined) ?? SidecarSettings.gracePeriodMs.default
  if (drain !== undefined && (drain.value as number) > 0 && (drain.value as number) >= graceMs) {
    const fixed = Math.max(0, graceMs - 1)
    Object.assign(drain, { value: fixed, text: String(fixed), fileValue: fixed })
  }
  return { picks, configBy }
})

function inputOf ({ picks, configBy }: { picks: Pick[], configBy: 'flag' | 'env' }): { input: LoadConfigInput, expected: Record<string, unknown> } {
  const argv: string[] = []
  const env: Record<string, string> = {}
  const file: Record<string, unknown> = {}
  const write = (s: SidecarSetting, source: Source, text: string, fileValue: unknown) => {
    if (source === 'env') env[s.env] = text
    else if (source === 'file') file[s.name] = fileValue
    else if (s.kind === 'boolean' && text === 'true') argv.push(s.flag)
    else if (text.startsWith('--') || s.kind === 'boolean') argv.push(`${s.flag}=${text}`)
    else argv.push(s.flag, text)
  }
  const expected: Record<string, unknown> = Object.fromEntries(SidecarSettingList.map((s) => [s.name, s.default]))
  // Losers first, so an earlier repeat of a flag comes before the one that wins.
  for (const p of picks) {
    const s = SidecarSettings[p.name as keyof typeof SidecarSettings]
    for (const loser of p.shadowed) write(s, loser.source, loser.text, loser.text)
  }
  for (const p of picks) {
    const s = SidecarSettings[p.name as keyof typeof SidecarSettings]
    write(s, p.source, p.text, p.fileValue)
    expected[p.name] = p.value
  }
  if (!picks.some((p) => p.name === 'cacheTtlMs')) expected.cacheTtlMs = expected.intervalMs
  // Prometheus's rule for an unset scrape_timeout, at 80 % (SPEC §8).
  if (!picks.some((p) => p.name === 'timeoutMs')) expected.timeoutMs = Math.min(2000, Math.floor((expected.intervalMs as number) * 0.8))
  if (Object.keys(file).length > 0) {
    if (configBy === 'flag') argv.push('--config', CONFIG_PATH)
    else env.RELIABILITY_CONFIG = CONFIG_PATH
    expected.config = CONFIG_PATH
  }
  const text = JSON.stringify(file)
  const readFile = async (path: string): Promise<string> => {
    if (path !== CONFIG_PATH) throw Object.assign(new Error('no such file'), { code: 'ENOENT' })
    return text
  }
  return { input: { argv, env, readFile }, expected }
}

t.test('valid settings from the settings table always resolve, each to the value of the source that wins', async (t) => {
  await fc.assert(fc.asyncProperty(validInput, async (gen) => {
    const { input, expected } = inputOf(gen)
    const result = await outcome(input)
    if (!result.ok) throw new Error(`refused: ${(result.err as Error).message}\n${JSON.stringify(input)}`)
    const wrong = acceptable(result.value)
    if (wrong !== undefined) throw new Error(wrong)
    const got = result.value as Record<string, unknown>
    for (const [name, value] of Object.entries(expected)) {
      if (!Object.is(got[name], value)) throw new Error(`${name}: ${JSON.stringify(got[name])}, expected ${JSON.stringify(value)}`)
    }
  }), { numRuns: runs(600) })
  t.pass('resolves')
})

t.test('regression: a --config path holding the token, the target or URL credentials is not echoed whole (found by the first property)', async (t) => {
  const cases: Array<[string, LoadConfigInput]> = [
    ['RELIABILITY_CONFIG set to the target', { argv: ['--target', TARGET], env: { RELIABILITY_CONFIG: TARGET } }],
    ['--config given the token', { argv: ['--token', TOKEN, '--config', TOKEN], env: {} }],
    // The password is a secret only in the file that is never read (seed -867708971): a path that
    // is a URL with credentials is redacted on its own.
    ['--config given a URL with credentials', { argv: ['--config', `http://u:${PASSWORD}@h:99999`], env: { RELIABILITY_CONFIG: CONFIG_PATH } }]
  ]
  for (const [name, input] of cases) {
    const readFile = async (): Promise<string> => { throw Object.assign(new Error('no such file'), { code: 'ENOENT' }) }
    const result = await outcome({ ...input, readFile })
    t.equal((result.err as { code?: string }).code, 'RELIABILITY_ERR_INVALID_CONFIG', `${name}: refused`)
    const message = String((result.err as Error).message)
    t.notOk(leaks(message, TOKEN) || leaks(message, PASSWORD), `${name}: no secret in the message`)
  }
})

t.test('regression: a token given only in a file that another --config shadows cannot be known (seed -33389620)', async (t) => {
  // The file holding the token is never read, so the path `xtok…` is an ordinary path and echoed.
  const readFile = async (): Promise<string> => { throw Object.assign(new Error('no such file'), { code: 'ENOENT' }) }
  const result = await outcome({ argv: ['--config', `x${TOKEN}`], env: { RELIABILITY_CONFIG: CONFIG_PATH }, readFile })
  t.equal((result.err as { code?: string }).code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(String((result.err as Error).message), /^invalid setting "config \(--config\)": cannot read config file "x/)
})

// ---- --check-config and a real start agree (issue 8, item 8) ------------------------------------

/**
 * The real start short of listening: bin.ts's loadConfig, then createSidecar, which builds the
 * upstream client from the target, every source, and registers the plugin (resolving the options
 * it derives). In demo mode bin.ts swaps in the demo app's URL; a fixed one stands in for it here.
 * --check-config is loadConfig alone, so any start-time check missing from it shows up as a
 * disagreement. `ready` compiles the routes' serializers (tens of ms): hence the small run count.
 */
async function startWithoutListening (input: LoadConfigInput): Promise<Outcome> {
  let config: ResolvedSidecarConfig
  try {
    config = await loadConfig(input)
  } catch (err) {
    return { ok: false, err }
  }
  const target = config.target ?? 'http://127.0.0.1:1'
  let app: { close (): Promise<unknown> } | undefined
  try {
    const sidecar = await createSidecar(Object.freeze({ ...config, target }), { log: silentLog() })
    app = sidecar.app
    await sidecar.app.ready()
    return { ok: true }
  } catch (err) {
    return { ok: false, err }
  } finally {
    await app?.close()
  }
}

/** Values around every limit of the sidecar's settings and of the plugin options derived from them. */
function startValue (s: SidecarSetting): fc.Arbitrary<string> {
  const schema = s.schema as { minimum?: number, maximum?: number }
  switch (s.kind) {
    case 'number': {
      const min = schema.minimum ?? 0
      const max = schema.maximum ?? 2 ** 31
      return fc.oneof(
        fc.constantFrom(min - 1, min, min + 1, max - 1, max, max + 1, 0, 1, 100, 999, 1000, 2000, 2500, 5000,
          28_800_000, 28_800_001, 86_400_000, 86_400_001, 715_827_883, 2_147_483_647, 2_147_483_648),
        fc.integer({ min, max: Math.min(max, 100_000) }),
        fc.integer({ min: 0, max: 2 ** 31 })
      ).map(String)
    }
    case 'url':
      return fc.oneof(
        fc.constantFrom('http://127.0.0.1:1', 'https://user:pw@app.internal:8443/base', 'http://us%ZZer:pw@app', 'http://u:p%E0%A4@app',
          'http://u%20v:p%40w@app/', 'http://app\n', ' http://app ', 'http://app/a b', 'ftp://app', 'http://[::1]:3000', 'http://bücher.example',
          'http://app:99999', 'http://', 'app:3000', 'http://%ZZ@app', 'https://:pw@app'),
        fc.webUrl({ validSchemes: ['http', 'https'], authoritySettings: { withUserInfo: true, withPort: true } })
      )
    case 'path':
      return fc.constantFrom('/x', '/health', 'off', 'x', '/a b', '/', '/x?y')
    case 'enum':
      return fc.constantFrom('down', 'degraded', 'up', 'info', 'silent', 'verbose')
    case 'boolean':
      return fc.constantFrom('true', 'false', 'yes')
    default:
      return s.secret === true
        ? fc.oneof(fc.constantFrom('tkn-1', 'a b', 'x\n', 'abcdé', 'Bearer x', '-', '\t'), fc.string({ maxLength: 8 }))
        : fc.oneof(fc.constantFrom('app', 'a b', 'x_total', '9x', ''), fc.string({ maxLength: 8 }))
  }
}

const startable = SidecarSettingList.filter((s) => !['config', 'help', 'checkConfig'].includes(s.name))
const durations = startable.filter((s) => s.kind === 'number')
const startSettings = fc.array(
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...durations) }, { weight: 1, arbitrary: fc.constantFrom(...startable) })
    .chain((s) => fc.tuple(fc.constant(s), startValue(s), fc.constantFrom<Source>('flag', 'env', 'file'))),
  { maxLength: 5 }
).map((items) => {
  const argv: string[] = []
  const env: Record<string, string> = {}
  const file: Record<string, unknown> = {}
  for (const [s, text, source] of items) {
    if (source === 'env') env[s.env] = text
    else if (source === 'file') file[s.name] = s.kind === 'number' ? Number(text) : text
    else argv.push(`${s.flag}=${text}`)
  }
  const readFile = async (): Promise<string> => JSON.stringify(file)
  if (Object.keys(file).length > 0) argv.push('--config', CONFIG_PATH)
  return { argv, env, readFile }
})

t.test('for any settings, --check-config and a real start agree', async (t) => {
  let started = 0
  let refused = 0
  await fc.assert(fc.asyncProperty(startSettings, async (input) => {
    const check = await outcome(input)
    const start = await startWithoutListening(input)
    const said = (o: Outcome) => o.ok ? 'valid' : `${(o.err as { code?: string }).code}: ${(o.err as Error).message}`
    if (check.ok !== start.ok || said(check) !== said(start)) {
      throw new Error(`--check-config: ${said(check)}\nstart: ${said(start)}\n${JSON.stringify(input.argv)} ${JSON.stringify(input.env)}`)
    }
    if (start.ok) started++
    else refused++
  }), { numRuns: runs(50) })
  t.ok(started > 5 && refused > 5, `both outcomes exercised (started: ${started}, refused: ${refused})`)
})

t.test('settings at every upper limit start', async (t) => {
  const argv = startable.filter((s) => s.kind === 'number' && s.name !== 'timeoutMs' && s.name !== 'drainDelayMs')
    .flatMap((s) => [s.flag, String((s.schema as unknown as { maximum: number }).maximum)])
  const result = await startWithoutListening({ argv: [...argv, '--target', 'http://u:p@127.0.0.1:1', '--token', '!~x'], env: {} })
  t.equal(result.ok, true, result.ok ? 'started' : String((result.err as Error).message))
})

t.test('regression: --interval-ms 40000000 is refused by --check-config, naming --interval-ms (issue 8)', async (t) => {
  const input = { argv: ['--interval-ms', '40000000', '--check-config'], env: {} }
  const check = await outcome(input)
  const start = await startWithoutListening(input)
  t.equal((check.err as { code?: string }).code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(String((check.err as Error).message), /^invalid setting "intervalMs \(--interval-ms\)": /)
  t.equal(String((start.err as Error).message), String((check.err as Error).message), 'the start says the same')
})
