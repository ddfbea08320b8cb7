import t from 'tap'
import { loadConfig, type LoadConfigInput } from '../../../sidecar/config/load-config.js'

interface Case {
  name: string
  argv?: string[]
  env?: Record<string, string>
  /** Files written to a testdir; `--config <dir>/c.json` is added when present. */
  file?: string
  /** What the message must say: the field first, then the reason and the source. */
  message: RegExp
}

const cases: Case[] = [
  { name: 'non-numeric interval', argv: ['--interval-ms', 'abc'], message: /"intervalMs \(--interval-ms\)": expected an integer .*got "abc" \(from --interval-ms\)/ },
  { name: 'interval with a unit', argv: ['--interval-ms=5s'], message: /"intervalMs \(--interval-ms\)".*"5s"/ },
  { name: 'number with trailing junk', env: { RELIABILITY_INTERVAL_MS: '12abc' }, message: /"intervalMs \(--interval-ms\)".*"12abc" \(from RELIABILITY_INTERVAL_MS\)/ },
  { name: 'empty number', env: { RELIABILITY_TIMEOUT_MS: '' }, message: /"timeoutMs \(--timeout-ms\)": expected an integer.*got ""/ },
  { name: 'fractional number', argv: ['--failure-threshold', '1.5'], message: /"failureThreshold \(--failure-threshold\)"/ },
  { name: 'interval below 100', argv: ['--interval-ms', '99'], message: /"intervalMs \(--interval-ms\)": expected an integer from 100 to/ },
  { name: 'interval past setTimeout', argv: ['--interval-ms', '2147483648', '--timeout-ms', '1000'], message: /"intervalMs \(--interval-ms\)"/ },
  { name: 'timeout equal to interval', argv: ['--timeout-ms', '5000'], message: /"timeoutMs \(--timeout-ms\)": must be below intervalMs \(--interval-ms\), which is 5000, got 5000/ },
  { name: 'explicit timeout above a short interval', argv: ['--interval-ms', '1000', '--timeout-ms', '2000'], message: /"timeoutMs \(--timeout-ms\)": must be below intervalMs \(--interval-ms\), which is 1000, got 2000 \(from --timeout-ms\)/ },
  // Issue 8, item 8: each of these passed --check-config, then the start failed on a plugin option
  // derived from it (maxStaleMs, windowMs, cacheTtlMs) that the user never set.
  { name: 'interval the plugin cannot keep stale values for', argv: ['--interval-ms', '40000000'], message: /^invalid setting "intervalMs \(--interval-ms\)": expected an integer from 100 to \d+, got 40000000 \(from --interval-ms\)$/ },
  { name: 'window past the plugin\'s limit', env: { RELIABILITY_WINDOW_MS: '100000000' }, message: /^invalid setting "windowMs \(--window-ms\)": expected an integer .*got 100000000 \(from RELIABILITY_WINDOW_MS\)$/ },
  { name: 'cache TTL past the plugin\'s limit', file: '{"cacheTtlMs": 100000000}', message: /^invalid setting "cacheTtlMs \(--cache-ttl-ms\)": expected an integer .*got 100000000 \(from config file/ },
  { name: 'port 70000', argv: ['--port', '70000'], message: /"port \(--port\)": expected an integer from 0 to 65535, got 70000/ },
  { name: 'negative port', argv: ['--port', '-1'], message: /"port \(--port\)".*got -1/ },
  { name: 'kubernetes service link in RELIABILITY_PORT', env: { RELIABILITY_PORT: 'tcp://10.0.0.7:9000' }, message: /"port \(--port\)".*enableServiceLinks: false/ },
  { name: 'zero threshold', env: { RELIABILITY_SUCCESS_THRESHOLD: '0' }, message: /"successThreshold \(--success-threshold\)": expected an integer from 1/ },
  { name: 'tiny body cap', argv: ['--max-body-bytes', '100'], message: /"maxBodyBytes \(--max-body-bytes\)": expected an integer from 1024/ },
  { name: 'target not a URL', argv: ['--target', 'localhost:3000'], message: /"target \(--target\)": expected an http:\/\/ or https:\/\/ URL/ },
  { name: 'target ftp URL', argv: ['--target', 'ftp://files.example'], message: /"target \(--target\)": .*got the scheme "ftp:"/ },
  { name: 'target with a bad port', env: { RELIABILITY_TARGET: 'http://app:99999' }, message: /"target \(--target\)".*\(from RELIABILITY_TARGET\)/ },
  { name: 'path without a slash', argv: ['--health-path', 'health'], message: /"healthPath \(--health-path\)": expected a path starting with "\/", "auto" to discover it, or "off" to disable, got "health"/ },
  { name: 'auto in another case', argv: ['--websocket-path', 'AUTO'], message: /"websocketPath \(--websocket-path\)": expected a path starting with "\/", "auto"/ },
  { name: 'path with a space', env: { RELIABILITY_METRICS_PATH: '/a b' }, message: /"metricsPath \(--metrics-path\)"/ },
  { name: 'bad failOn', argv: ['--fail-on', 'up'], message: /"failOn \(--fail-on\)": expected one of "down", "degraded", got "up"/ },
  { name: 'bad log level', argv: ['--log-level', 'verbose'], message: /"logLevel \(--log-level\)": expected one of/ },
  { name: 'bad metric name', argv: ['--cpu-metric', 'cpu-seconds'], message: /"cpuMetric \(--cpu-metric\)": expected a Prometheus metric name/ },
  { name: 'bad label name', argv: ['--status-code-label', 'status:code'], message: /"statusCodeLabel \(--status-code-label\)": expected a Prometheus label name/ },
  { name: 'empty token', env: { RELIABILITY_TOKEN: '' }, message: /"token \(--token\)": expected a non-empty string.* \(from RELIABILITY_TOKEN\)$/ },
  // Issue 8, item 7: no Authorization header can carry these, so the route could never be read.
  { name: 'token with a space', argv: ['--token', 'abc def'], message: /^invalid setting "token \(--token\)": expected .*without spaces \(from --token\)$/ },
  { name: 'token ending in a newline', env: { RELIABILITY_TOKEN: 'abcdef\n' }, message: /^invalid setting "token \(--token\)": .*\(from RELIABILITY_TOKEN\)$/ },
  { name: 'token with a tab, in the file', file: '{"token": "abc\\tdef"}', message: /^invalid setting "token \(--token\)": .*\(from config file/ },
  { name: 'token with a non-ASCII letter', argv: ['--token=abcdé'], message: /^invalid setting "token \(--token\)"/ },
  // Issue 8, item 7: --check-config said valid, then the start failed with "URI malformed".
  { name: 'target with a user name that is not valid percent-encoding', argv: ['--target', 'http://us%ZZer:pw@127.0.0.1:3000'], message: /^invalid setting "target \(--target\)": .*percent-encod.* \(from --target\)$/ },
  { name: 'target with a password that is not valid percent-encoding', env: { RELIABILITY_TARGET: 'http://user:p%E0%A4w@127.0.0.1:3000' }, message: /^invalid setting "target \(--target\)": .*percent-encod.* \(from RELIABILITY_TARGET\)$/ },
  { name: 'bad boolean', argv: ['--check-config=yes'], message: /"checkConfig \(--check-config\)": expected true or false, got "yes"/ },
  { name: 'unknown flag', argv: ['--interval', '5000'], message: /"--interval": unknown flag/ },
  { name: 'unknown short flag', argv: ['-p', '1'], message: /"-p": unknown flag/ },
  { name: 'flag missing its value at the end', argv: ['--port'], message: /"port \(--port\)": the flag needs a value/ },
  { name: 'flag followed by another flag', argv: ['--target', '--port', '1'], message: /"target \(--target\)": the flag needs a value/ },
  { name: 'stray positional argument', argv: ['--port', '1', 'extra'], message: /"argument 3": unexpected value/ },
  { name: 'empty --config', argv: ['--config='], message: /"config \(--config\)": expected a file path, got ""/ },
  { name: 'unknown key in the file', file: '{"port": 9001, "intervalMS": 5000}', message: /"intervalMS": unknown key in config file ".*c\.json"/ },
  { name: '--help in the file', file: '{"help": true}', message: /"help": not settable in config file .*; use --help/ },
  { name: 'string number in the file', file: '{"port": "9001"}', message: /"port \(--port\)": expected an integer .*got "9001" \(from config file ".*c\.json"\)/ },
  { name: 'number as a path in the file', file: '{"healthPath": 5}', message: /"healthPath \(--health-path\)": expected a path.*got 5/ },
  { name: 'null for a setting that is never unset', file: '{"intervalMs": null}', message: /"intervalMs \(--interval-ms\)".*got null/ },
  { name: 'invalid JSON file', file: '{"port": 9001,\n  oops }', message: /"config \(--config\)": config file ".*c\.json" is not valid JSON \(line 2, column 3\)/ },
  { name: 'JSON file that is not an object', file: '[1, 2]', message: /"config \(--config\)": config file ".*c\.json" must hold a JSON object/ },
  { name: 'missing file', argv: ['--config', '/nonexistent/dir/c.json'], message: /"config \(--config\)": cannot read config file "\/nonexistent\/dir\/c\.json" \(ENOENT\)/ },
  { name: 'file that is a directory', argv: ['--config', '.'], message: /"config \(--config\)": config file "\." is not a regular file/ }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const argv = [...(c.argv ?? [])]
    if (c.file !== undefined) argv.push('--config', `${t.testdir({ 'c.json': c.file })}/c.json`)
    const input: LoadConfigInput = { argv, env: c.env ?? {} }
    const err = await loadConfig(input).then(() => undefined, (e: unknown) => e as Error & { code?: string })
    if (err === undefined) {
      t.fail('expected the configuration to be refused')
      return
    }
    t.equal(err.code, 'RELIABILITY_ERR_INVALID_CONFIG')
    t.match(err.message, c.message)
    t.notMatch(err.message, /\n/, 'one line')
  })
}
