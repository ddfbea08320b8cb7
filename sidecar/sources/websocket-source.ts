// The `websocket` source: the app's websocket admin JSON (field names configurable) as the
// `websocket` section. A body that is not the expected JSON is this section's error, nothing more.
import { ReliabilityErrors } from '../../plugin/errors.js'
import { toIsoTimestamp } from '../../plugin/iso-timestamp.js'
import { createEndpointRecorder } from '../poller/endpoint-recorder.js'
import type { EndpointHandler } from '../poller/poller.js'
import type { WebsocketSection } from '../../schemas/report.js'
import type { Source } from '../../plugin/sources/source.js'

export interface WebsocketSourceOptions {
  readonly path: string
  readonly intervalMs: number
  readonly now: () => number
  readonly fields: { readonly activeConnections: string, readonly lastBroadcast: string, readonly connectionRate: string }
}

const finiteOrNull = (v: unknown): number | null => typeof v === 'number' && Number.isFinite(v) ? v : null

export function readWebsocketAdmin (path: string, statusCode: number, body: string, fields: WebsocketSourceOptions['fields']): WebsocketSection {
  if (statusCode < 200 || statusCode >= 300) throw ReliabilityErrors.UPSTREAM_STATUS(path, statusCode)
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw ReliabilityErrors.INVALID_BODY(path, 'not valid JSON')
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw ReliabilityErrors.INVALID_BODY(path, 'not a JSON object')
  const o = json as Record<string, unknown>
  const broadcast = o[fields.lastBroadcast]
  return {
    active_connections: finiteOrNull(o[fields.activeConnections]),
    last_broadcast_ts: typeof broadcast === 'string' || typeof broadcast === 'number' ? toIsoTimestamp(broadcast) : null,
    connection_rate: finiteOrNull(o[fields.connectionRate])
  }
}

export function createWebsocketSource (opts: WebsocketSourceOptions): { handler: EndpointHandler, source: Source } {
  let section: WebsocketSection | undefined
  const recorder = createEndpointRecorder(opts.intervalMs)
  const handler: EndpointHandler = {
    name: 'websocket',
    path: opts.path,
    onResult: (result) => recorder.record(result, (answer) => {
      section = readWebsocketAdmin(opts.path, answer.statusCode, answer.body, opts.fields)
    })
  }

  const source: Source = {
    name: 'websocket',
    async collect (ctx) {
      const provenance = recorder.provenance(ctx.now())
      // Past three intervals the old figures are not shown: the section keeps its shape with nulls.
      return provenance.status === 'error' || section === undefined ? { provenance } : { websocket: section, provenance }
    }
  }
  return { handler, source }
}
