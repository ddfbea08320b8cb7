// One autocannon run against a loopback URL, reduced to the figures the benchmarks use.
import autocannon from 'autocannon'

export interface LoadOptions {
  readonly url: string
  readonly connections: number
  readonly pipelining?: number
  /** Seconds. */
  readonly duration?: number
  /** Total requests, instead of a duration. */
  readonly amount?: number
  /** Requests per second over all connections (an open-loop-like load), instead of flat out. */
  readonly overallRate?: number
}

export interface LoadResult {
  /** Completed requests per second over the run. */
  readonly rps: number
  readonly total: number
  /** Milliseconds (autocannon's histogram has 1 ms resolution). */
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** Transport errors, timeouts and non-2xx answers: a run with any is not a clean figure. */
  readonly bad: number
}

export async function load (opts: LoadOptions): Promise<LoadResult> {
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    pipelining: opts.pipelining ?? 1,
    ...(opts.amount === undefined ? { duration: opts.duration ?? 1 } : { amount: opts.amount }),
    ...(opts.overallRate === undefined ? {} : { overallRate: opts.overallRate }),
    timeout: 10
  })
  return {
    rps: r.duration > 0 ? r.requests.total / r.duration : 0,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    bad: r.errors + r.timeouts + r.non2xx
  }
}
