// A deterministic generator for benchmark fixtures (mulberry32): the same seed gives the same
// exposition on every run and machine, so sizes and series counts are comparable across runs.

export type Random = () => number

/** Uniform in [0, 1). */
export function seededRandom (seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
