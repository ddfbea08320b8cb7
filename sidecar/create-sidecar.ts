// The sidecar (SPEC §6): the same plugin, fed by HTTP sources that read the last polled state of
// the app next door, plus its own /livez, /readyz and /metrics. Nothing here reads process.env or
// installs signal handlers: the entry file does (STYLE §9).
import { hostname } from 'node:os'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { createReliabilityPlugin } from '../plugin/reliability-plugin.js'
import { createRedactor } from '../plugin/redact.js'
import { createOwnMetrics } from './own-metrics.js'
import { trackServerSockets } from './server-sockets.js'
import { createPoller } from './poller/poller.js'
import { createHealthSource, type HealthSource } from './sources/health-source.js'
import { createMetricsSource } from './sources/metrics-source.js'
import { metricNames } from './metrics/metric-names.js'
import { createWebsocketSource } from './sources/websocket-source.js'
import { createUpstreamClient } from './upstream/upstream-client.js'
import { sidecarPluginOptions } from './config/plugin-options.js'
import type { ResolvedSidecarConfig } from './config/load-config.js'
import { createPathSlot } from './discovery/path-slot.js'
import { pathSlotOptions } from './discovery/path-slot-options.js'
import { createTargetWatch } from './discovery/target-watch.js'
import type { Source } from '../plugin/sources/source.js'

export interface Sidecar {
  readonly app: FastifyInstance
  /** Listens and starts polling; resolves with the address. */
  start(): Promise<string>
  /**
   * Readiness fails at once; the server keeps answering for `drainDelayMs` so load balancers see
   * it and stop sending; then polling stops, in-flight requests finish, the server closes. Once no
   * request is in flight, connections left open (idle, silent, half-sent) are closed, not waited for.
   */
  drain(): Promise<void>
}

export interface SidecarDeps {
  readonly log: FastifyBaseLogger
  readonly now?: () => number
}

const pass = '{"status":"pass"}'
const fail = '{"status":"fail"}'

export async function createSidecar (config: ResolvedSidecarConfig, deps: SidecarDeps): Promise<Sidecar> {
  if (config.target === null) throw new Error('createSidecar needs a target')
  const now = deps.now ?? Date.now
  const client = createUpstreamClient({ target: config.target, timeoutMs: config.timeoutMs, maxBodyBytes: config.maxBodyBytes })
  const slot = { now, log: deps.log.child({ component: 'discovery' }) }
  // The target's critical service and target_up: from health when offered, else from metrics.
  const watch = createTargetWatch({
    targetName: config.targetName,
    failureThreshold: config.failureThreshold,
    successThreshold: config.successThreshold,
    health: () => ({ status: healthSlot.status(), state: health?.state() }),
    metrics: () => ({ status: metricsSlot.status(), path: metricsSlot.handler?.path ?? '' })
  })

  // Each source's `path` is a getter: while discovering it, the source's messages name the path asked.
  let health: HealthSource | undefined
  const healthSlot = createPathSlot(pathSlotOptions(config, 'health', slot), (path) => {
    health = createHealthSource({
      get path () { return path() },
      targetName: config.targetName,
      intervalMs: config.intervalMs,
      failureThreshold: config.failureThreshold,
      successThreshold: config.successThreshold,
      now
    })
    return { handler: health.handler, source: watch.healthSource(health.source) }
  })
  const metricsSlot = createPathSlot(pathSlotOptions(config, 'metrics', slot), (path) => {
    const metrics = createMetricsSource({
      get path () { return path() },
      intervalMs: config.intervalMs,
      windowMs: config.windowMs,
      maxSeries: config.maxSeries,
      now,
      names: metricNames(config)
    })
    return { handler: watch.observeMetrics(metrics.handler), source: watch.metricsSource(metrics.source) }
  })
  const websocketSlot = createPathSlot(pathSlotOptions(config, 'websocket', slot), (path) => createWebsocketSource({
    get path () { return path() },
    intervalMs: config.intervalMs,
    now,
    fields: { activeConnections: config.wsActiveConnectionsField, lastBroadcast: config.wsLastBroadcastField, connectionRate: config.wsConnectionRateField }
  }))
  const slots = [healthSlot, metricsSlot, websocketSlot]
  const handlers = slots.flatMap((s) => s.handler === undefined ? [] : [s.handler])
  const sources: Source[] = slots.map((s) => s.source)

  const app = Fastify({
    loggerInstance: deps.log,
    // Load-balancer probes and scrapes are most of this server's traffic: not one log line each.
    logController: new LogController({ disableRequestLogging: true }),
    // Idle keep-alive connections are dropped at close; the requests in flight are let finish. The
    // connections that never sent a whole request are server-sockets.ts's job (issue 8).
    forceCloseConnections: 'idle'
  }) as unknown as FastifyInstance
  const sockets = trackServerSockets(app.server)
  const redact = createRedactor([config.token ?? undefined, config.target])
  let draining = false

  const poller = createPoller({
    client,
    endpoints: handlers,
    intervalMs: config.intervalMs,
    // The host name tells apart the sidecars of a fleet, which all watch the same local URL.
    phaseKey: `${hostname()} ${config.target}`,
    now,
    log: app.log.child({ component: 'poller' }),
    onPolled: (endpoint, durationMs, failure) => {
      own.observePoll(endpoint, durationMs, failure)
      if (failure) app.log.debug({ endpoint, code: (failure as { code?: string }).code, reason: redact(failure.message) }, 'poll failed')
    },
    // A report after every round keeps rule timers (for_s) moving with the polls, not with readers.
    onRound: () => app.reliability.refresh()
  })
  const own = createOwnMetrics({
    report: () => app.reliability.report(),
    targetUp: () => watch.up(),
    skippedTicks: () => poller.skippedTicks()
  })

  // The options loadConfig has checked (and --check-config with it): built by the same function.
  // The report is about the app next door: its sources are the pollers', none of this process's.
  const plugin = createReliabilityPlugin({ builtinSources: false, expectedSources: ['health', 'metrics', 'websocket'], extraSources: sources, clock: now })
  await app.register(plugin, sidecarPluginOptions(config))

  // Every answer of the sidecar, its 404s included: nothing here is cacheable or to be sniffed.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    reply.header('x-content-type-options', 'nosniff')
  })
  // While draining, every answer closes its connection: a keep-alive client whose request was in
  // flight when draining began would otherwise hold close() until its keep-alive timeout (~72 s).
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close')
  })

  app.get('/livez', async (_request, reply) => {
    // Answering at all proves the event loop turns; the poller must also still be going round.
    const last = poller.lastRoundAt()
    const alive = last === undefined || draining || now() - last <= 3 * config.intervalMs + config.timeoutMs
    return reply.code(alive ? 200 : 503).type('application/health+json').send(alive ? pass : fail)
  })
  let firstRoundDone = false
  poller.firstRound.then(() => { firstRoundDone = true }, () => {})
  app.get('/readyz', async (_request, reply) => {
    const ready = firstRoundDone && !draining
    return reply.code(ready ? 200 : 503).type('application/health+json').send(ready ? pass : fail)
  })
  app.get('/metrics', async (_request, reply) => {
    const body = await own.registry.metrics()
    return reply.type(own.registry.contentType).send(body)
  })

  // Fastify is closing (new requests get its 503) and the listener closes next: from here on, the
  // connections with no request in flight are closed as soon as none is in flight, so one that never
  // sends a byte cannot hold shutdown until the grace runs out (issue 8).
  app.addHook('preClose', (done) => {
    sockets.closeWhenQuiet()
    done()
  })
  app.addHook('onClose', async () => {
    await poller.stop()
    await client.close()
  })

  return {
    app,
    async start () {
      const address = await app.listen({ port: config.port, host: config.host })
      poller.start()
      return address
    },
    async drain () {
      draining = true
      if (config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs))
      await poller.stop()
      await app.close()
    }
  }
}
