// The A B A B schedule: every variant runs once per round, in the same order, for several rounds,
// so a slow minute on a shared machine lands on every variant instead of on one of them.

export interface Variant {
  readonly name: string
  /** One measurement; returns the figure of that run (req/s, MB/s, ...). */
  readonly run: (round: number) => Promise<number> | number
}

export interface AlternateOptions {
  readonly rounds: number
  /** Called before each measurement, for progress lines. */
  readonly onRun?: (variant: string, round: number) => void
}

/** Samples by variant name, one per round, in round order. */
export async function alternateRounds (variants: readonly Variant[], opts: AlternateOptions): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]))
  for (let round = 0; round < opts.rounds; round++) {
    for (const v of variants) {
      opts.onRun?.(v.name, round)
      samples.get(v.name)!.push(await v.run(round))
    }
  }
  return samples
}
