// parse-prometheus-text-format 1.x ships no types; this is the shape it returns (prom2json's).
declare module 'parse-prometheus-text-format' {
  interface Metric {
    labels?: Record<string, string>
    value?: string
    buckets?: Record<string, string>
    quantiles?: Record<string, string>
    count?: string
    sum?: string
  }
  interface Family {
    name: string
    help: string
    type: string
    metrics: Metric[]
  }
  function parsePrometheusTextFormat (text: string): Family[]
  export default parsePrometheusTextFormat
}
