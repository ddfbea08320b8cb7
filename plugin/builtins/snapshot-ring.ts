// The last N snapshots of a cumulative counter (CPU time, event-loop utilization), so a rate over
// the window is (newest - oldest) / elapsed instead of a lifetime average.
export interface SnapshotRing<T> {
  push(snapshot: T): void
  oldest(): T
}

export function createSnapshotRing<T> (size: number, first: T): SnapshotRing<T> {
  const ring: T[] = [first]
  return {
    push (snapshot) {
      ring.push(snapshot)
      if (ring.length > size) ring.shift()
    },
    oldest: () => ring[0]
  }
}
