// One polled endpoint of the target as its setting makes it (SPEC §6): `off`, never polled; a path
// set explicitly, polled as given, today's behaviour (configured names win: its 404 is not hidden);
// `auto`, discovered among candidates. Wraps the endpoint's own handler and source rather than
// changing them: they read answers, this decides which path to ask and whether there is one.
// A steady "not offered" is said once, in `setup` with the source `unconfigured`, never in a note.
import type { FastifyBaseLogger } from 'fastify'
import { classifyAnswer } from './classify-answer.js'
import { createPathDiscovery, describeNotOffered, describePeriod, type DiscoveryState } from './path-discovery.js'
import type { EndpointHandler } from '../poller/poller.js'
import type { UpstreamAnswer } from '../upstream/upstream-client.js'
import type { ReportPatch, Source } from '../../plugin/sources/source.js'

/**
 * `searching`: not found yet (first search, or a found path lost); `reprobing`: searching again
 * after it was found not offered; `absent`: not offered.
 */
export type SlotStatus = 'off' | 'fixed' | 'found' | 'searching' | 'reprobing' | 'absent'

export interface PathSlot {
  status(): SlotStatus
  /** Undefined when off: nothing to poll. */
  readonly handler: EndpointHandler | undefined
  readonly source: Source
}

export interface PathSlotOptions {
  /** The source's name: `health`, `metrics`, `websocket`; `setup.detected` says `<name>_path`. */
  readonly name: string
  /** The setting's value: `auto`, a path, or null for off. */
  readonly setting: string | null
  /** The setting's flag, for the reasons given. */
  readonly flag: string
  readonly candidates: readonly string[]
  readonly reprobeMs: number
  /** Report paths the source fills: listed in `setup.unconfigured` while it is off or not offered. */
  readonly fills: readonly string[]
  /** What an answer must also be for the path to be found (the websocket admin: a JSON object). */
  readonly accepts?: (answer: UpstreamAnswer) => boolean
  readonly now: () => number
  readonly log: FastifyBaseLogger
}

/** The endpoint's own reader: its handler and source, made for the path `path()` returns when called. */
export type EndpointFactory = (path: () => string) => { handler: EndpointHandler, source: Source }

export function createPathSlot (opts: PathSlotOptions, make: EndpointFactory): PathSlot {
  const detectedKey = `${opts.name}_path`
  const unconfigured = (reason: string): ReportPatch => ({
    provenance: { status: 'unconfigured' },
    setup: { detected: { [detectedKey]: null }, unconfigured: opts.fills.map((path) => ({ path, reason })) }
  })
  const withDetected = (patch: ReportPatch, path: string | null): ReportPatch =>
    ({ ...patch, setup: { ...patch.setup, detected: { ...patch.setup?.detected, [detectedKey]: path } } })

  if (opts.setting === null) {
    const patch = unconfigured(`off (${opts.flag} off)`)
    return { status: () => 'off', handler: undefined, source: { name: opts.name, collect: async () => patch } }
  }
  if (opts.setting !== 'auto') {
    const fixed = opts.setting
    const inner = make(() => fixed)
    return {
      status: () => 'fixed',
      handler: inner.handler,
      source: { name: opts.name, collect: async (ctx) => withDetected(await inner.source.collect(ctx), fixed) }
    }
  }

  const discovery = createPathDiscovery({ candidates: opts.candidates, reprobeMs: opts.reprobeMs, now: opts.now })
  // While searching, the candidate being asked: the reader's messages name it.
  let asking = opts.candidates[0]
  const inner = make(() => asking)
  const log = opts.log.child({ endpoint: opts.name })
  const period = describePeriod(opts.reprobeMs)

  function logChange (before: DiscoveryState, after: DiscoveryState): void {
    if (after.phase === before.phase && (after.phase !== 'found' || before.phase !== 'found' || after.path === before.path)) return
    if (after.phase === 'found') log.info({ path: after.path }, 'endpoint found')
    else if (after.phase === 'absent') log.info({ why: describeNotOffered(after.tried), reprobeMs: opts.reprobeMs }, 'endpoint not offered')
    else if (before.phase === 'found') log.warn({ path: before.path, why: after.tried[0]?.reason }, 'endpoint no longer offered: looking again')
  }

  const handler: EndpointHandler = {
    name: inner.handler.name,
    get path () { return asking },
    accept: inner.handler.accept,
    onResult: inner.handler.onResult,
    async poll (ask) {
      let durationMs = 0
      let asked = 0
      // Each candidate is asked at most once a round; the bound only guards against a loop.
      while (asked <= opts.candidates.length) {
        const path = discovery.next()
        if (path === undefined) break
        asking = path
        asked++
        const before = discovery.state()
        const result = await ask(path, inner.handler.accept)
        durationMs += result.durationMs
        const verdict = classifyAnswer(result, before.phase === 'found' ? undefined : opts.accepts)
        const step = discovery.observe(path, verdict)
        logChange(before, discovery.state())
        if (step === 'use') return { durationMs, failure: inner.handler.onResult(result) }
      }
      // Nothing asked (not offered, no re-probe due), or only "not offered" answers: no failure.
      return asked === 0 ? undefined : { durationMs, failure: undefined }
    }
  }

  function status (): SlotStatus {
    const state = discovery.state()
    return state.phase === 'searching' && state.reprobe ? 'reprobing' : state.phase
  }

  const source: Source = {
    name: inner.source.name,
    async collect (ctx) {
      const state = discovery.state()
      if (state.phase === 'absent') return unconfigured(`not offered: ${describeNotOffered(state.tried)}; probed again every ${period}`)
      return withDetected(await inner.source.collect(ctx), state.phase === 'found' ? state.path : null)
    }
  }
  return { status, handler, source }
}
