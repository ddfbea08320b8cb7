import { Value } from '@sinclair/typebox/value'
import { ReliabilityErrors } from '../../plugin/errors.js'
import { createRedactor } from '../../plugin/redact.js'
import {
  SidecarConfig,
  SidecarSettingList,
  SidecarSettings,
  type SidecarSetting,
  type SidecarSettingName
} from '../../schemas/sidecar-config.js'
import { parseArgs } from './parse-args.js'
import { refusedPluginOption } from './plugin-options.js'
import { MAX_CONFIG_FILE_BYTES, readRegularFile } from './read-regular-file.js'
import { readEnv } from './read-env.js'

/** The sidecar's settings, resolved once: every key present, `null` for unset or `off`; frozen. */
export type ResolvedSidecarConfig = Readonly<SidecarConfig>

export interface LoadConfigInput {
  /** Arguments after the script: `process.argv.slice(2)`. */
  argv: readonly string[]
  /** The environment (the entry file passes `process.env`); only settings' `RELIABILITY_*` names are read. */
  env: Readonly<Record<string, string | undefined>>
  /** Reads the `--config` file as UTF-8 text; defaults to `readRegularFile` with a 1 MiB cap. */
  readFile?: (path: string) => Promise<string>
}

/** A value and where it came from: `--port`, `RELIABILITY_PORT`, `config file "x.json"` or `default`. */
interface Picked { value: unknown, origin: string }

const byName = new Map<string, SidecarSetting>(SidecarSettingList.map((s) => [s.name, s]))
const defaultReadFile = (path: string): Promise<string> => readRegularFile(path, MAX_CONFIG_FILE_BYTES)

/**
 * Resolves the configuration: flags > `RELIABILITY_*` environment > `--config` JSON file > defaults.
 * Strings from flags and environment are coerced strictly (`"5000"`, not `"5s"`), the result is
 * checked against `SidecarConfig`, the settings' relations, the target's URL as the upstream client
 * reads it, and the plugin options derived from them as the plugin resolves them: what passes here
 * (and so `--check-config`) starts. The first bad value throws `RELIABILITY_ERR_INVALID_CONFIG`
 * naming the setting, its flag, the reason and the source. Messages never hold the token nor the
 * target's credentials. With `--help` nothing else is read: defaults are returned with `help: true`.
 */
export async function loadConfig (input: LoadConfigInput): Promise<ResolvedSidecarConfig> {
  const flags = parseArgs(input.argv)
  if (flags.help !== undefined && flags.help !== 'false' && flags.help !== '0') {
    return resolve([{ help: 'true' }, {}, {}], '', [])
  }
  const env = readEnv(input.env)
  const configPath = flags.config ?? env.config
  let file: Record<string, unknown> = {}
  if (configPath !== undefined) {
    if (configPath === '') {
      const c = SidecarSettings.config
      throw fieldError(c, `expected ${c.expects}, got ""`, flags.config === undefined ? c.env : c.flag)
    }
  }
  // The path is shown redacted: a token or a target's password passed as --config by mistake, or
  // credentials in a path that is really a URL, must not be echoed, whatever the file would say.
  const early = collectSecrets([flags, env])
  const label = configPath === undefined
    ? 'the config file'
    : `config file ${JSON.stringify(createRedactor(early)(configPath))}`
  if (configPath !== undefined) file = await readConfigFile(configPath, input.readFile ?? defaultReadFile, label)
  const secrets = collectSecrets([flags, env, file])
  return resolve([flags, env, file], label, secrets)
}

/** `url` with its user name and password replaced by `***`, for logs. */
export function redactUrl (url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Unparseable: the authority ends at the first `/`, `?`, `#` or `\` (WHATWG URL, special schemes).
    return url.replace(/\/\/[^/?#\\]*@/, '//***@')
  }
  if (parsed.username === '' && parsed.password === '') return url
  if (parsed.username !== '') parsed.username = '***'
  if (parsed.password !== '') parsed.password = '***'
  return parsed.href
}

type Sources = [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]

function resolve (sources: Sources, fileLabel: string, secrets: readonly string[]): ResolvedSidecarConfig {
  const picked: Partial<Record<SidecarSettingName, Picked>> = {}
  for (const s of SidecarSettingList) {
    const i = sources.findIndex((src) => src[s.name] !== undefined)
    if (i === -1) continue
    const raw = sources[i][s.name]
    const origin = i === 0 ? s.flag : i === 1 ? s.env : fileLabel
    picked[s.name] = { value: i === 2 ? fromFile(s, raw) : fromString(s, String(raw), origin, secrets), origin }
  }
  // Defaults second, then the derived ones, so that a default computed from another setting sees
  // that setting's final value. Its origin is that setting's: an error then names what was set.
  for (const s of SidecarSettingList) {
    if (picked[s.name] === undefined && s.defaultFrom === undefined) picked[s.name] = { value: s.default, origin: 'default' }
  }
  for (const s of SidecarSettingList) {
    if (picked[s.name] !== undefined || s.defaultFrom === undefined) continue
    const from = picked[s.defaultFrom.setting as SidecarSettingName]
    // Not an integer: refused below under its own name; the plain default stands in meanwhile.
    picked[s.name] = from !== undefined && Number.isSafeInteger(from.value)
      ? { value: s.defaultFrom.derive(from.value as number), origin: from.origin }
      : { value: s.default, origin: 'default' }
  }
  const candidate = Object.fromEntries(SidecarSettingList.map((s) => [s.name, picked[s.name]?.value]))

  const first = Value.Errors(SidecarConfig, candidate).First()
  if (first !== undefined) {
    const name = first.path.split('/')[1] ?? ''
    const s = byName.get(name)
    if (s === undefined) throw new ReliabilityErrors.INVALID_CONFIG(first.path, first.message)
    const p = picked[s.name] as Picked
    throw fieldError(s, `expected ${s.expects}${echo(s, p.value, secrets)}`, p.origin)
  }
  const config = candidate as SidecarConfig
  checkTarget(config.target, picked.target as Picked)
  if (config.timeoutMs >= config.intervalMs) {
    const iv = SidecarSettings.intervalMs
    throw fieldError(SidecarSettings.timeoutMs,
      `must be below ${iv.name} (${iv.flag}), which is ${config.intervalMs}, got ${config.timeoutMs}`,
      (picked.timeoutMs as Picked).origin)
  }
  if (config.drainDelayMs > 0 && config.drainDelayMs >= config.gracePeriodMs) {
    const g = SidecarSettings.gracePeriodMs
    throw fieldError(SidecarSettings.drainDelayMs,
      `must be below ${g.name} (${g.flag}), which is ${config.gracePeriodMs}, got ${config.drainDelayMs}`,
      (picked.drainDelayMs as Picked).origin)
  }
  const refused = refusedPluginOption(config)
  if (refused !== undefined) {
    if (refused.setting === undefined) throw new ReliabilityErrors.INVALID_CONFIG(`plugin option ${refused.option}`, refused.reason)
    throw fieldError(SidecarSettings[refused.setting], `gives the plugin option ${refused.option}, which it refuses: ${refused.reason}`,
      (picked[refused.setting] as Picked).origin)
  }
  // Every value is a primitive or null, so freezing the object freezes it deeply.
  return Object.freeze(config)
}

function fromString (s: SidecarSetting, text: string, origin: string, secrets: readonly string[]): unknown {
  switch (s.kind) {
    case 'boolean':
      if (text === 'true' || text === '1') return true
      if (text === 'false' || text === '0') return false
      throw fieldError(s, `expected ${s.expects}${echo(s, text, secrets)}`, origin)
    case 'number': {
      const n = /^-?\d+$/.test(text) ? Number(text) : NaN
      if (Number.isSafeInteger(n)) return n
      // Kubernetes sets RELIABILITY_PORT=tcp://… for a Service named `reliability`.
      const hint = /^(tcp|udp):\/\//.test(text) && origin.startsWith('RELIABILITY_')
        ? '; this looks like a Kubernetes service link: set enableServiceLinks: false on the pod'
        : ''
      throw fieldError(s, `expected ${s.expects}${echo(s, text, secrets)}${hint}`, origin)
    }
    case 'path':
      return text === 'off' ? null : text
    default:
      return text
  }
}

function fromFile (s: SidecarSetting, value: unknown): unknown {
  // `false` as in the plugin's `healthPath: false`.
  if (s.kind === 'path' && (value === 'off' || value === false)) return null
  return value
}

function checkTarget (target: string | null, picked: Picked): void {
  if (target === null) return
  const s = SidecarSettings.target
  let url: URL
  try {
    url = new URL(target)
  } catch {
    throw fieldError(s, `expected ${s.expects}`, picked.origin)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fieldError(s, `expected ${s.expects}, got the scheme "${url.protocol}"`, picked.origin)
  }
  // The upstream client decodes the credentials for Basic auth: a bad escape such as `%ZZ` would
  // throw "URI malformed" at the start after --check-config had said valid (issue 8).
  for (const [part, text] of [['user name', url.username], ['password', url.password]]) {
    try {
      decodeURIComponent(text)
    } catch {
      throw fieldError(s, `expected ${s.expects}, got a ${part} that is not valid percent-encoding (UTF-8 after %XX decoding)`, picked.origin)
    }
  }
}

async function readConfigFile (path: string, readFile: (path: string) => Promise<string>, label: string): Promise<Record<string, unknown>> {
  const s = SidecarSettings.config
  let text: string
  try {
    text = await readFile(path)
  } catch (err) {
    // No `cause`: printing it would print whatever the reader put in its message.
    const code = (err as { code?: unknown } | null)?.code
    if (code === 'ENOTREG') throw fieldError(s, `${label} is not a regular file`)
    if (code === 'EFBIG') throw fieldError(s, `${label} is larger than ${MAX_CONFIG_FILE_BYTES} bytes`)
    throw fieldError(s, `cannot read ${label}${typeof code === 'string' ? ` (${code})` : ''}`)
  }
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    // V8 quotes the text around the fault, which may be the token: keep only where it is.
    const at = /position (\d+)/.exec(String((err as Error).message))
    throw fieldError(s, `${label} is not valid JSON${at === null ? '' : ` (${lineCol(text, Number(at[1]))})`}`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw fieldError(s, `${label} must hold a JSON object`)
  }
  for (const key of Object.keys(data)) {
    const setting = byName.get(key)
    const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key).slice(1, -1)
    if (setting === undefined) throw new ReliabilityErrors.INVALID_CONFIG(shown, `unknown key in ${label}`)
    if (!setting.sources.includes('file')) {
      throw new ReliabilityErrors.INVALID_CONFIG(shown, `not settable in ${label}; use ${setting.flag}`)
    }
  }
  return data as Record<string, unknown>
}

function lineCol (text: string, pos: number): string {
  const before = text.slice(0, pos).split('\n')
  return `line ${before.length}, column ${(before.at(-1) ?? '').length + 1}`
}

function fieldError (s: SidecarSetting, reason: string, origin?: string): Error {
  const from = origin === undefined ? '' : origin === 'default' ? ' (the default)' : ` (from ${origin})`
  return new ReliabilityErrors.INVALID_CONFIG(`${s.name} (${s.flag})`, `${reason}${from}`)
}

/** `, got "x"` for values safe to show: never the token or the target, nor anything holding a secret. */
function echo (s: SidecarSetting, value: unknown, secrets: readonly string[]): string {
  if (s.secret === true || s.kind === 'url') return ''
  const text = JSON.stringify(value) ?? String(value)
  if (secrets.some((secret) => text.includes(secret))) return ''
  return `, got ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`
}

/** The token and the target's credentials as any source gave them, to keep out of messages. */
function collectSecrets (sources: ReadonlyArray<Record<string, unknown>>): string[] {
  const out: string[] = []
  for (const src of sources) {
    if (typeof src.token === 'string') out.push(src.token)
    const userinfo = typeof src.target === 'string' ? /^[^:/?#]+:[/\\]{2}([^/?#\\]*)@/.exec(src.target)?.[1] : undefined
    for (const part of userinfo?.split(':') ?? []) {
      out.push(part)
      try { out.push(decodeURIComponent(part)) } catch {}
    }
  }
  // JSON.stringify may escape a secret's quotes or backslashes: match that spelling too.
  return out.filter((x) => x !== '').flatMap((x) => [x, JSON.stringify(x).slice(1, -1)])
}
