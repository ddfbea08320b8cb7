// The history's points (SPEC §9), kept column by column in typed arrays: a point costs 8 bytes per
// figure, 8 for its time, 1 for its status and one shared reference for its anomaly codes, with no
// object per point for the collector to walk. A fixed capacity (historyPoints) bounds the memory;
// the age limit (historyMs) is applied when the points are read.
import type { Status } from '../../schemas/report.js'
import type { HistoryPoints } from '../../schemas/history.js'

const STATUSES: readonly Status[] = ['ok', 'degraded', 'down']
const NO_CODES: readonly string[] = Object.freeze([])

export interface PointInput {
  readonly at: number
  readonly status: Status
  /** The figure at each of the ring's paths, in the same order; null when the report had none. */
  readonly figures: ReadonlyArray<number | null>
  readonly anomalies: readonly string[]
}

export interface PointRing {
  push(point: PointInput): void
  /** The points at most `maxAgeMs` older than `now`, oldest first. */
  read(now: number, maxAgeMs: number): HistoryPoints
  /** The newest point's time, or undefined while empty. */
  newestAt(): number | undefined
  readonly paths: readonly string[]
  /** What the ring's arrays hold, in bytes (the anomaly-code lists are shared and not counted). */
  readonly bytes: number
}

export function createPointRing (paths: readonly string[], capacity: number): PointRing {
  const at = new Float64Array(capacity)
  const status = new Uint8Array(capacity)
  const figures = paths.map(() => new Float64Array(capacity))
  const anomalies: Array<readonly string[]> = new Array(capacity).fill(NO_CODES)
  let next = 0
  let size = 0

  return {
    paths,
    bytes: at.byteLength + status.byteLength + figures.reduce((n, f) => n + f.byteLength, 0) + capacity * 8,
    push (point) {
      at[next] = point.at
      status[next] = STATUSES.indexOf(point.status)
      for (let i = 0; i < figures.length; i++) figures[i][next] = point.figures[i] ?? Number.NaN
      // Most reports fire what the one before fired: keep one list for the run, not one per point.
      const previous = anomalies[(next + capacity - 1) % capacity]
      anomalies[next] = sameCodes(previous, point.anomalies) ? previous : Object.freeze([...point.anomalies])
      next = (next + 1) % capacity
      size = Math.min(size + 1, capacity)
    },
    read (now, maxAgeMs) {
      const out: HistoryPoints = { timestamp: [], status: [], anomalies: [], figures: {} }
      const columns = paths.map((p) => (out.figures[p] = [] as Array<number | null>))
      for (let k = 0; k < size; k++) {
        const i = (next - size + k + capacity) % capacity
        if (now - at[i] > maxAgeMs) continue
        out.timestamp.push(at[i])
        out.status.push(STATUSES[status[i]])
        // Frozen when pushed: shared, not copied, by every read.
        out.anomalies.push(anomalies[i] as string[])
        for (let j = 0; j < columns.length; j++) {
          const v = figures[j][i]
          columns[j].push(Number.isNaN(v) ? null : v)
        }
      }
      return out
    },
    newestAt: () => size === 0 ? undefined : at[(next + capacity - 1) % capacity]
  }
}

function sameCodes (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((code, i) => code === b[i])
}
