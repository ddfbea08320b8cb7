import { SidecarSettingList, type SidecarSetting } from '../../schemas/sidecar-config.js'

const PLACEHOLDER: Record<SidecarSetting['kind'], string> = {
  number: '<integer>',
  string: '<text>',
  url: '<url>',
  path: '<path|auto|off>',
  enum: '<choice>',
  boolean: ''
}

/** `--help`: every setting with its flag, environment variable, default and constraint. */
export function helpText (): string {
  const lines = [
    'reliability-sidecar: watch a neighbouring app over HTTP and serve its reliability report',
    '',
    'Usage: reliability-sidecar [--name value | --name=value | --flag]...',
    'Precedence: flags > RELIABILITY_* environment variables > --config JSON file (camelCase keys) > defaults',
    ''
  ]
  for (const s of SidecarSettingList) {
    const value = s.placeholder ?? PLACEHOLDER[s.kind]
    const flag = `${s.short === undefined ? '' : `-${s.short}, `}${s.flag}${value === '' ? '' : ` ${value}`}`
    const env = s.sources.includes('env') ? s.env : '(flag only)'
    lines.push(`  ${flag.padEnd(40)} ${env}`)
    lines.push(`      ${s.help}`)
    lines.push(`      ${describeDefault(s)}; ${s.expects}${s.sources.includes('file') ? '' : '; not in the config file'}`)
  }
  return `${lines.join('\n')}\n`
}

function describeDefault (s: SidecarSetting): string {
  if (s.defaultFrom !== undefined) return `default: ${s.defaultFrom.text}`
  if (s.default === null) return s.kind === 'url' ? 'default: none (the demo app is started)' : 'default: unset'
  return `default: ${String(s.default)}`
}
