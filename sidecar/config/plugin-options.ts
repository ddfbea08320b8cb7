// The plugin options the sidecar derives from its settings, built in one place: createSidecar
// registers the plugin with them, and loadConfig checks them with the plugin's own resolveOptions,
// so --check-config and the start cannot disagree about them (issue 8: `--interval-ms 40000000`
// passed --check-config, then the start failed on "maxStaleMs", an option the user never set).
import { Value } from '@sinclair/typebox/value'
import { reliabilityCode } from '../../plugin/errors.js'
import { resolveOptions, type ReliabilityOptions } from '../../plugin/resolve-options.js'
import { ReliabilityOptionsSchema } from '../../schemas/options.js'
import { STALE_AFTER_INTERVALS, type SidecarConfig, type SidecarSettingName } from '../../schemas/sidecar-config.js'

/**
 * The plugin options the sidecar sets; the plumbing (its sources, no built-in ones, the clock) is
 * createSidecar's, passed to createReliabilityPlugin as internals.
 */
export type SidecarPluginOptions = Pick<ReliabilityOptions, 'cacheTtlMs' | 'maxStaleMs' | 'windowMs' | 'failOn' | 'token'>

/** Each option set from a setting, with that setting: a refused option is reported as the setting. */
export const pluginOptionSettings = Object.freeze({
  cacheTtlMs: 'cacheTtlMs',
  maxStaleMs: 'intervalMs',
  windowMs: 'windowMs',
  failOn: 'failOn',
  token: 'token'
} as const satisfies Partial<Record<keyof SidecarPluginOptions, SidecarSettingName>>)

export function sidecarPluginOptions (config: Readonly<SidecarConfig>): SidecarPluginOptions {
  return {
    cacheTtlMs: config.cacheTtlMs,
    maxStaleMs: STALE_AFTER_INTERVALS * config.intervalMs,
    windowMs: config.windowMs,
    failOn: config.failOn,
    ...(config.token === null ? {} : { token: config.token })
  }
}

export interface RefusedPluginOption {
  readonly option: string
  /** The setting the option comes from; undefined for one the sidecar fixes itself. */
  readonly setting: SidecarSettingName | undefined
  /** TypeBox's words, without the value (it may be the token). */
  readonly reason: string
}

/** Why the plugin would refuse the options derived from `config`, or undefined when it takes them. */
export function refusedPluginOption (config: Readonly<SidecarConfig>): RefusedPluginOption | undefined {
  const options = sidecarPluginOptions(config)
  try {
    resolveOptions(options)
    return undefined
  } catch (err) {
    if (reliabilityCode(err) !== 'RELIABILITY_ERR_INVALID_OPTION') throw err
    // resolveOptions names the option in its message only: ask the same schema which one it was.
    const first = Value.Errors(ReliabilityOptionsSchema, options).First()
    const option = first?.path.split('/')[1] ?? 'options'
    const setting = (pluginOptionSettings as Record<string, SidecarSettingName | undefined>)[option]
    return { option, setting, reason: first?.message ?? 'refused by the plugin' }
  }
}
