// Built-in `http` source: what the latency recorder saw over the window.
import type { LatencyRecorder } from './latency-recorder.js'
import type { Source } from '../sources/source.js'

export function createHttpSource (recorder: LatencyRecorder): Source {
  return {
    name: 'http',
    async collect () {
      const { latency, requestsPerSecond, errorRate } = recorder.read()
      return {
        performance: {
          request_latency_ms: latency,
          requests_per_s: requestsPerSecond,
          error_rate: errorRate
        }
      }
    }
  }
}
