// The part of autocannon 9's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string
    connections?: number
    pipelining?: number
    /** Seconds; fractions are allowed. */
    duration?: number
    amount?: number
    /** Requests per second over all connections. */
    overallRate?: number
    method?: string
    headers?: Record<string, string>
    timeout?: number
  }
  interface Histogram {
    average: number
    mean: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p99: number
    p99_9: number
  }
  interface Result {
    /** Seconds, to 10 ms. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    /** `total` is the count of completed requests. */
    requests: Histogram & { sent: number }
    /** Milliseconds. */
    latency: Histogram
  }
  function autocannon (opts: Options): Promise<Result>
  export default autocannon
}
