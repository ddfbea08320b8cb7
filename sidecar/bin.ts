#!/usr/bin/env node
// reliability-sidecar: the only file that reads process.env and argv and handles signals.
// Exit codes: 0 after a clean shutdown or --help/--check-config, 2 for a bad configuration,
// 1 when something failed at start or the grace period ran out.
import { pino } from 'pino'
import { reliabilityCode } from '../plugin/errors.js'
import { createRedactor } from '../plugin/redact.js'
import { loadConfig, redactUrl, type ResolvedSidecarConfig } from './config/load-config.js'
import { helpText } from './config/help-text.js'
import type { Sidecar } from './create-sidecar.js'

// Secrets known once the config is read, so a start failure's message can be cleaned of them.
let redact = createRedactor()

// The bundled demo app's edge and ingestion metrics (examples/demo-app.ts), used only in demo mode.
const demoMetricNames = {
  activeEdgesMetric: 'edges_active',
  edgesCreatedMetric: 'edges_created_total',
  lastEdgeCreatedMetric: 'edge_last_created_timestamp_seconds',
  ingestLatencyMetric: 'ingest_duration_seconds',
  lastIngestMetric: 'ingest_last_timestamp_seconds',
  ingestFailuresMetric: 'ingest_failures_total'
} as const

async function main (): Promise<void> {
  let config: ResolvedSidecarConfig
  try {
    config = await loadConfig({ argv: process.argv.slice(2), env: process.env })
  } catch (err) {
    if (reliabilityCode(err) === 'RELIABILITY_ERR_INVALID_CONFIG') {
      process.stderr.write(`reliability-sidecar: ${(err as Error).message}\n`)
      process.exit(2)
    }
    throw err
  }
  if (config.help) {
    process.stdout.write(helpText())
    return
  }
  if (config.checkConfig) {
    // The URL as parsed (and so used): WHATWG parsing drops a stray newline and escapes spaces,
    // which printed raw would break the one line.
    process.stdout.write(`reliability-sidecar: configuration is valid (target ${config.target === null ? 'none: demo mode' : redactUrl(new URL(config.target).href)})\n`)
    return
  }

  redact = createRedactor([config.token ?? undefined, config.target ?? undefined])
  const log = pino({ level: config.logLevel, name: 'reliability-sidecar' })
  let closeDemo: (() => Promise<void>) | undefined
  // Read by the signal handler, which may run before the sidecar exists.
  const running: { sidecar?: Sidecar } = {}
  const gracePeriodMs = config.gracePeriodMs

  // Installed before anything starts, so a signal during start-up is a clean exit too.
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting at once')
      process.exit(1)
    }
    stopping = true
    const force = setTimeout(() => {
      log.error({ gracePeriodMs }, 'grace period over: exiting')
      process.exit(1)
    }, gracePeriodMs)
    force.unref()
    log.info({ signal, gracePeriodMs }, 'draining: readiness fails, polling stops')
    Promise.resolve(running.sidecar?.drain())
      .then(() => closeDemo?.())
      .then(() => {
        log.info('stopped')
        process.exit(0)
      }, (err) => {
        log.error({ err }, 'shutdown failed')
        process.exit(1)
      })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  if (config.target === null) {
    // Loaded only here: the demo app needs `ws`, a development dependency the image does not ship.
    const { startDemoApp } = await import('../examples/demo-app.js')
    const demo = await startDemoApp({ port: 0 })
    closeDemo = () => demo.close()
    config = Object.freeze({
      ...config,
      target: demo.url,
      // A name the user set wins over the demo's.
      ...Object.fromEntries(Object.entries(demoMetricNames).map(([setting, name]) => [setting, config[setting as keyof typeof demoMetricNames] ?? name]))
    })
    log.info({ demo: demo.url }, 'no --target given: watching the bundled demo app')
  }

  // Loaded only now: --help, --check-config and bad settings answer without loading Fastify.
  const { createSidecar } = await import('./create-sidecar.js')
  if (stopping) return
  const sidecar = running.sidecar = await createSidecar(config, { log })
  const address = await sidecar.start()
  const base = address.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:')
  log.info({ target: redactUrl(config.target as string), address }, 'reliability-sidecar listening')
  if (closeDemo) {
    process.stdout.write([
      '',
      `  demo app:      ${config.target}`,
      `  report:        ${base}/api/v2/diagnostics/reliability?include_traces=true`,
      `  health (LB):   ${base}/health`,
      `  own metrics:   ${base}/metrics`,
      `  livez/readyz:  ${base}/livez  ${base}/readyz`,
      `  (figures fill in after two polls, about ${Math.round(2 * config.intervalMs / 1000)} s; Ctrl-C to stop)`,
      '',
      ''
    ].join('\n'))
  }
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`reliability-sidecar: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`)
  process.exit(1)
})

main().catch((err) => {
  // A port in use, a demo app that cannot start: not a setting's fault, so not worded as one.
  process.stderr.write(`reliability-sidecar: failed to start: ${redact((err as Error).message ?? String(err))}\n`)
  process.exit(1)
})
