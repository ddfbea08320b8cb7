// The report's `setup` (issue 9): what the sources found, what no source fills, and the rules that
// read only unfilled paths. These are facts about how the report is built, not news: said here
// once, they are kept out of `notes`, which a healthy app's report leaves empty.
import type { SetupSection, Unfilled } from '../schemas/report.js'
import type { Rule } from '../schemas/rule.js'
import type { SourceView } from './sources/orchestrator.js'

/** Nothing detected, nothing unfilled: the setup of a report no source contributed to. */
export const emptySetup = (): SetupSection => ({ detected: {}, unconfigured: [], idle_rules: [] })

/** Whether `path` is `unfilled` or lies within it (`cache.hit_rate` within `cache`). */
const within = (path: string, unfilled: string): boolean => path === unfilled || path.startsWith(`${unfilled}.`)

export function isUnfilled (path: string, unconfigured: readonly Unfilled[]): boolean {
  return unconfigured.some((u) => within(path, u.path))
}

/**
 * `missing` are the expected source names nothing registered (in-app: the user sections not
 * passed); each fills the report section of its name.
 */
export function reportSetup (views: readonly SourceView[], missing: readonly string[], rules: readonly Rule[]): SetupSection {
  const detected: Record<string, string | null> = {}
  const unconfigured: Unfilled[] = missing.map((name) => ({ path: name, reason: 'no source configured' }))
  for (const v of views) {
    Object.assign(detected, v.data?.setup?.detected)
    for (const u of v.data?.setup?.unconfigured ?? []) {
      // Two sources leaving the same path unfilled say it once, the first one's reason.
      if (!unconfigured.some((known) => known.path === u.path)) unconfigured.push({ path: u.path, reason: u.reason })
    }
  }
  const idle = rules
    .filter((r) => r.enabled !== false && r.conditions.every((c) => isUnfilled(c.path, unconfigured)))
    .map((r) => r.code)
  return { detected, unconfigured, idle_rules: idle }
}
