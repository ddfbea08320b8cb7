// Expositions as apps of each ecosystem serve them (issue 9), written by us from each library's
// documentation: the family names, label names, value styles (`2xx`, `500`) and the families that
// come along (python_info, go_info, jvm_info, target_info). Each is a function of the scrape index
// `k` (0, 1): the second scrape is 10 s after the first, with the counts the figures are derived from.

/** One histogram label set: `counts` are cumulative per bound; `+Inf` (and `_count`) is `inf`, else the last count. */
function histogram (name: string, labels: string, bounds: readonly string[], counts: readonly number[], sum: number, le: 'first' | 'last' = 'last', inf = counts[counts.length - 1]): string {
  const at = (b: string) => le === 'last' ? `{${labels}${labels === '' ? '' : ','}le="${b}"}` : `{le="${b}"${labels === '' ? '' : ','}${labels}}`
  const lines = bounds.map((b, i) => `${name}_bucket${at(b)} ${counts[i]}`)
  const tail = labels === '' ? '' : `{${labels}}`
  return [...lines, `${name}_bucket${at('+Inf')} ${inf}`, `${name}_count${tail} ${inf}`, `${name}_sum${tail} ${sum}`].join('\n')
}

const pythonProcess = (cpu: number) => `# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 1532.0
# HELP python_info Python platform information
# TYPE python_info gauge
python_info{implementation="CPython",major="3",minor="11",patchlevel="2",version="3.11.2"} 1.0
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 5.2174848e+07
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.77236e+09
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total ${cpu}`

/** prometheus-fastapi-instrumentator's defaults: status grouped as `2xx` on the counter only, `handler`/`method` on the histogram. */
export const fastapiInstrumentator = (k: number) => `${pythonProcess([1.5, 2.5][k])}
# HELP http_requests_total Total number of requests by method, status and handler.
# TYPE http_requests_total counter
http_requests_total{handler="/items/{item_id}",method="GET",status="2xx"} ${[100, 290][k]}.0
http_requests_total{handler="/items/{item_id}",method="GET",status="5xx"} ${[0, 10][k]}.0
http_requests_total{handler="/health",method="GET",status="4xx"} 3.0
# HELP http_requests_created Total number of requests by method, status and handler.
# TYPE http_requests_created gauge
http_requests_created{handler="/items/{item_id}",method="GET",status="2xx"} 1.7723600012e+09
# HELP http_request_duration_highr_seconds Latency with many buckets but no API specific labels. Made for more accurate percentile calculations.
# TYPE http_request_duration_highr_seconds histogram
${histogram('http_request_duration_highr_seconds', '', ['0.01', '0.025', '0.05', '0.1'], [[50, 80, 90, 103], [150, 240, 270, 307]][k], 9.5)}
# HELP http_request_duration_seconds Latency with only few buckets by handler. Made to be only used if aggregation by handler is important.
# TYPE http_request_duration_seconds histogram
${histogram('http_request_duration_seconds', 'handler="/items/{item_id}",method="GET"', ['0.1', '0.5', '1.0'], [[60, 95, 100], [180, 285, 300]][k], 21.2)}`

/** A hand-written FastAPI app (prometheus_client): `status` as `2xx`/`5xx` on the histogram, cache counters. */
export const fastapiHandwritten = (k: number) => `${pythonProcess([10, 13][k])}
# HELP http_request_duration_seconds Request duration
# TYPE http_request_duration_seconds histogram
${histogram('http_request_duration_seconds', 'handler="/work",method="GET",status="2xx"', ['0.005', '0.01', '0.25', '0.5'], [[0, 180, 190, 190], [0, 540, 570, 570]][k], 30)}
${histogram('http_request_duration_seconds', 'handler="/work",method="GET",status="5xx"', ['0.005', '0.01', '0.25', '0.5'], [[0, 10, 10, 10], [0, 30, 30, 30]][k], 0.1)}
# HELP cache_hits_total Cache hits
# TYPE cache_hits_total counter
cache_hits_total ${[30, 105][k]}.0
# HELP cache_hits_created Cache hits
# TYPE cache_hits_created gauge
cache_hits_created 1.7723600012e+09
# HELP cache_misses_total Cache misses
# TYPE cache_misses_total counter
cache_misses_total ${[10, 35][k]}.0`

const goRuntime = (cpu: number) => `# HELP go_info Information about the Go environment.
# TYPE go_info gauge
go_info{version="go1.22.1"} 1
# HELP go_memstats_heap_alloc_bytes Number of heap bytes allocated and still in use.
# TYPE go_memstats_heap_alloc_bytes gauge
go_memstats_heap_alloc_bytes 3.1e+07
# HELP go_memstats_heap_sys_bytes Number of heap bytes obtained from system.
# TYPE go_memstats_heap_sys_bytes gauge
go_memstats_heap_sys_bytes 4.6e+07
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total ${cpu}
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.12e+08
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.77236e+09`

/** The Prometheus server: its histogram has only `handler`; the status is `code` on its request counter. */
export const prometheusServer = (k: number) => `${goRuntime([4, 4.5][k])}
# HELP prometheus_http_request_duration_seconds Histogram of latencies for HTTP requests.
# TYPE prometheus_http_request_duration_seconds histogram
${histogram('prometheus_http_request_duration_seconds', 'handler="/api/v1/query"', ['0.1', '0.2', '0.4', '1', '3', '8', '20', '60', '120'], Array(9).fill([20, 60][k]), 0.2, 'first')}
${histogram('prometheus_http_request_duration_seconds', 'handler="/metrics"', ['0.1', '0.2', '0.4', '1', '3', '8', '20', '60', '120'], Array(9).fill([30, 90][k]), 0.3, 'first')}
# HELP prometheus_http_requests_total Counter of HTTP requests.
# TYPE prometheus_http_requests_total counter
prometheus_http_requests_total{code="200",handler="/api/v1/query"} ${[20, 58][k]}
prometheus_http_requests_total{code="503",handler="/api/v1/query"} ${[0, 2][k]}
prometheus_http_requests_total{code="200",handler="/metrics"} ${[30, 90][k]}`

/** A Go service instrumented with promhttp.InstrumentHandlerDuration: `code` and `method` labels. */
export const goPromhttp = (k: number) => `${goRuntime([1, 2][k])}
# HELP http_request_duration_seconds A histogram of latencies for requests.
# TYPE http_request_duration_seconds histogram
${histogram('http_request_duration_seconds', 'code="200",method="get"', ['0.025', '0.1', '0.25', '1'], [[10, 80, 95, 95], [30, 240, 285, 285]][k], 7)}
${histogram('http_request_duration_seconds', 'code="500",method="get"', ['0.025', '0.1', '0.25', '1'], [[5, 5, 5, 5], [15, 15, 15, 15]][k], 0.1)}`

const jvm = (cpu: string) => `# HELP jvm_info JVM version info
# TYPE jvm_info gauge
jvm_info{runtime="OpenJDK Runtime Environment",vendor="Eclipse Adoptium",version="17.0.9+9"} 1
# HELP jvm_memory_used_bytes The amount of used memory
# TYPE jvm_memory_used_bytes gauge
jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 2.4E7
jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 1.6E7
jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 4000000.0
jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.2E7
# HELP jvm_memory_committed_bytes The amount of memory in bytes that is committed for the Java virtual machine to use
# TYPE jvm_memory_committed_bytes gauge
jvm_memory_committed_bytes{area="heap",id="G1 Eden Space"} 4.0E7
jvm_memory_committed_bytes{area="heap",id="G1 Old Gen"} 6.0E7
jvm_memory_committed_bytes{area="heap",id="G1 Survivor Space"} 4000000.0
jvm_memory_committed_bytes{area="nonheap",id="Metaspace"} 5.4E7
# HELP jvm_memory_max_bytes The maximum amount of memory in bytes that can be used for memory management
# TYPE jvm_memory_max_bytes gauge
jvm_memory_max_bytes{area="heap",id="G1 Eden Space"} -1.0
${cpu}
# HELP process_start_time_seconds Start time of the process since unix epoch.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.772360000123E9`

const cacheGets = (hits: number, misses: number) => `# HELP cache_gets_total The number of times cache lookup methods have returned a cached (hit) or uncached (newly loaded or null) value (miss).
# TYPE cache_gets_total counter
cache_gets_total{cache="items",cacheManager="cacheManager",name="items",result="hit"} ${hits - 20}
cache_gets_total{cache="items",cacheManager="cacheManager",name="items",result="miss"} ${misses}
cache_gets_total{cache="users",cacheManager="cacheManager",name="users",result="hit"} 20.0
cache_gets_total{cache="users",cacheManager="cacheManager",name="users",result="miss"} 0.0`

const spring = (outcome: string, status: string) => `exception="none",method="GET",outcome="${outcome}",status="${status}",uri="/api/items"`

/** Spring Boot with Micrometer's defaults: http.server.requests is a summary (no buckets), CPU a gauge of all cores. */
export const springSummary = (k: number) => `${jvm(`# HELP process_cpu_usage The "recent cpu usage" for the Java Virtual Machine process
# TYPE process_cpu_usage gauge
process_cpu_usage ${[0.1, 0.125][k]}
# HELP system_cpu_count The number of processors available to the Java virtual machine
# TYPE system_cpu_count gauge
system_cpu_count 4.0`)}
# HELP http_server_requests_seconds
# TYPE http_server_requests_seconds summary
http_server_requests_seconds_count{${spring('SUCCESS', '200')}} ${[190, 570][k]}
http_server_requests_seconds_sum{${spring('SUCCESS', '200')}} ${[9.5, 28.5][k]}
http_server_requests_seconds_count{${spring('SERVER_ERROR', '500')}} ${[10, 30][k]}
http_server_requests_seconds_sum{${spring('SERVER_ERROR', '500')}} ${[0.2, 0.6][k]}
# HELP http_server_requests_seconds_max
# TYPE http_server_requests_seconds_max gauge
http_server_requests_seconds_max{${spring('SUCCESS', '200')}} 0.21
${cacheGets([50, 125][k], [10, 35][k])}`

/** Spring Boot with percentiles-histogram enabled and Micrometer 1.12+'s CPU-time counter. */
export const springHistogram = (k: number) => `${jvm(`# HELP process_cpu_usage The "recent cpu usage" for the Java Virtual Machine process
# TYPE process_cpu_usage gauge
process_cpu_usage 0.9
# HELP process_cpu_time_ns_total The "cpu time" used by the Java Virtual Machine process
# TYPE process_cpu_time_ns_total counter
process_cpu_time_ns_total ${[1.2E10, 1.45E10][k]}
# HELP system_cpu_count The number of processors available to the Java virtual machine
# TYPE system_cpu_count gauge
system_cpu_count 4.0`)}
# HELP http_server_requests_seconds
# TYPE http_server_requests_seconds histogram
${histogram('http_server_requests_seconds', spring('SUCCESS', '200'), ['0.05', '0.1', '0.5', '1.0'], [[100, 180, 190, 190], [300, 540, 570, 570]][k], 10)}
${histogram('http_server_requests_seconds', spring('SERVER_ERROR', '500'), ['0.05', '0.1', '0.5', '1.0'], [[0, 0, 10, 10], [0, 0, 30, 30]][k], 3)}
${cacheGets([50, 125][k], [10, 35][k])}`

/** OpenTelemetry's Prometheus exporter: http.server.request.duration in seconds, no process metrics. */
export const otel = (k: number) => `# HELP target_info Target metadata
# TYPE target_info gauge
target_info{service_name="dice",telemetry_sdk_language="nodejs",telemetry_sdk_name="opentelemetry"} 1
# HELP http_server_request_duration_seconds Duration of HTTP server requests.
# TYPE http_server_request_duration_seconds histogram
${histogram('http_server_request_duration_seconds', 'http_request_method="GET",http_response_status_code="200",http_route="/rolldice",otel_scope_name="@opentelemetry/instrumentation-http"', ['0.005', '0.01', '0.025', '0.05', '0.1', '1', '10'], [[0, 10, 50, 80, 90, 90, 90], [0, 30, 150, 240, 270, 270, 270]][k], 3)}
${histogram('http_server_request_duration_seconds', 'http_request_method="GET",http_response_status_code="500",http_route="/rolldice",otel_scope_name="@opentelemetry/instrumentation-http"', ['0.005', '0.01', '0.025', '0.05', '0.1', '1', '10'], [0, 0, 0, 0, 0, 0, 0], [110, 330][k], 'last', [10, 30][k])}`

/** prom-client's default metrics with an Express app's histogram: everything the old defaults assumed. */
export const promClient = (k: number) => `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total ${[3, 3.2][k]}
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1772360000
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 81920000
# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_p99_seconds gauge
nodejs_eventloop_lag_p99_seconds 0.012
# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.
# TYPE nodejs_heap_size_total_bytes gauge
nodejs_heap_size_total_bytes 40000000
# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.
# TYPE nodejs_heap_size_used_bytes gauge
nodejs_heap_size_used_bytes 30000000
# HELP nodejs_version_info Node.js version info.
# TYPE nodejs_version_info gauge
nodejs_version_info{version="v20.11.0",major="20",minor="11",patch="0"} 1
# HELP http_request_duration_seconds Duration of HTTP requests in seconds
# TYPE http_request_duration_seconds histogram
${histogram('http_request_duration_seconds', 'method="GET",route="/items",status_code="200"', ['0.05', '0.1', '0.5'], [[50, 90, 95], [150, 270, 285]][k], 4)}
${histogram('http_request_duration_seconds', 'method="GET",route="/items",status_code="503"', ['0.05', '0.1', '0.5'], [[5, 5, 5], [15, 15, 15]][k], 0.1)}
# HELP cache_hits_total Cache hits
# TYPE cache_hits_total counter
cache_hits_total ${[60, 135][k]}
# HELP cache_misses_total Cache misses
# TYPE cache_misses_total counter
cache_misses_total ${[20, 45][k]}`
