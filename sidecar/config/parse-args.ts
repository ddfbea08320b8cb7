import { ReliabilityErrors } from '../../plugin/errors.js'
import { SidecarSettingList, type SidecarSetting, type SidecarSettingName } from '../../schemas/sidecar-config.js'

/** Raw flag values by setting name, still strings: `load-config.ts` coerces and validates them. */
export type ParsedArgs = Partial<Record<SidecarSettingName, string>>

const byFlag = new Map<string, SidecarSetting>()
for (const s of SidecarSettingList) {
  if (!s.sources.includes('flag')) continue
  byFlag.set(s.flag, s)
  if (s.short !== undefined) byFlag.set(`-${s.short}`, s)
}

/**
 * Parses `--name value`, `--name=value` and bare boolean flags (`--check-config`, `-h`); a boolean
 * flag takes a value only as `--check-config=false`. A repeated flag: the last one wins.
 * Errors never echo a value (it may be the token): only flag names and positions.
 */
export function parseArgs (argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('-')) {
      throw new ReliabilityErrors.INVALID_CONFIG(`argument ${i + 1}`,
        'unexpected value; settings are given as --name value or --name=value')
    }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const setting = byFlag.get(name)
    if (setting === undefined) {
      throw new ReliabilityErrors.INVALID_CONFIG(printable(name), 'unknown flag; see --help')
    }
    if (eq !== -1) {
      out[setting.name] = arg.slice(eq + 1)
    } else if (setting.kind === 'boolean') {
      out[setting.name] = 'true'
    } else {
      const next = argv[i + 1]
      // A value starting with `--` is taken for the next flag: `--token --port 1` is a mistake,
      // and `--token=--odd` still works.
      if (next === undefined || next.startsWith('--')) {
        throw new ReliabilityErrors.INVALID_CONFIG(`${setting.name} (${setting.flag})`, 'the flag needs a value')
      }
      out[setting.name] = next
      i++
    }
  }
  return out
}

/** An unknown flag's name, bounded and without control characters, fit for one log line. */
function printable (name: string): string {
  const clean = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name)
  return clean.slice(1, -1)
}
