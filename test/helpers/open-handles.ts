// What keeps a process alive: timers (unref'd ones are not listed), sockets, servers. Immediates are
// left out: they run on the next turn of the loop, and tap's own machinery queues some between tests.
export type HandleCounts = Map<string, number>

export function openHandles (): HandleCounts {
  const counts: HandleCounts = new Map()
  for (const r of process.getActiveResourcesInfo()) if (r !== 'Immediate') counts.set(r, (counts.get(r) ?? 0) + 1)
  return counts
}

/** Handles open now beyond the baseline, e.g. `Timeout +1`; empty when none. */
export function handlesBeyond (baseline: HandleCounts): string[] {
  return [...openHandles()].filter(([k, n]) => n > (baseline.get(k) ?? 0)).map(([k, n]) => `${k} +${n - (baseline.get(k) ?? 0)}`)
}
