// Each endpoint's discovery settings, from the sidecar's configuration (SPEC §6): its setting, the
// candidates and re-probe period declared with the settings, what it fills, what finds it.
import { isJsonObject } from './classify-answer.js'
import type { PathSlotOptions } from './path-slot.js'
import { DISCOVERY_CANDIDATES, DISCOVERY_REPROBE_MS, SidecarSettings } from '../../schemas/sidecar-config.js'
import type { ResolvedSidecarConfig } from '../config/load-config.js'

export type EndpointName = 'health' | 'metrics' | 'websocket'

// The report paths each endpoint fills: while it is off or not offered they are said unfilled,
// once, and the rules reading them idle instead of noting "no data" in every report.
const FILLS: Readonly<Record<EndpointName, readonly string[]>> = {
  health: ['health'],
  metrics: ['metrics', 'performance', 'cache', 'infrastructure', 'edge_engine', 'ingestion'],
  websocket: ['websocket']
}

export function pathSlotOptions (config: ResolvedSidecarConfig, name: EndpointName, deps: Pick<PathSlotOptions, 'now' | 'log'>): PathSlotOptions {
  const setting = `${name}Path` as const
  return {
    name,
    setting: config[setting],
    flag: SidecarSettings[setting].flag,
    candidates: DISCOVERY_CANDIDATES[setting],
    reprobeMs: DISCOVERY_REPROBE_MS,
    fills: FILLS[name],
    // Opt-in: an app is taken to have a websocket admin only when it answers a JSON object there.
    ...(name === 'websocket' ? { accepts: isJsonObject } : {}),
    ...deps
  }
}
