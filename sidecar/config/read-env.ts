import { SidecarSettingList, type SidecarSettingName } from '../../schemas/sidecar-config.js'

/** Raw environment values by setting name, still strings: `load-config.ts` coerces them. */
export type EnvValues = Partial<Record<SidecarSettingName, string>>

/**
 * Picks the `RELIABILITY_*` variables of the settings from `env` (the entry file passes
 * `process.env`; nothing else reads it, STYLE.md §9). An empty variable is kept, and refused
 * later like any bad value: `RELIABILITY_PORT=` is more often a broken template than "unset".
 *
 * Other `RELIABILITY_*` names are ignored rather than refused: Kubernetes injects service-link
 * variables (`RELIABILITY_SERVICE_HOST`, `RELIABILITY_PORT_9000_TCP`, …) for a Service named
 * `reliability`, and refusing them would make the pod's environment decide whether it starts.
 */
export function readEnv (env: Readonly<Record<string, string | undefined>>): EnvValues {
  const out: EnvValues = {}
  for (const s of SidecarSettingList) {
    if (!s.sources.includes('env')) continue
    const value = env[s.env]
    if (value !== undefined) out[s.name] = value
  }
  return out
}
