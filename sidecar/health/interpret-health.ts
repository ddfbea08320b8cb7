// What a neighbouring app's health endpoint said, read without I/O (SPEC §6 "Health formats", §8).
// The body is untrusted: every string is capped and scrubbed of credentials, secret-looking keys are
// dropped, and the number of checks and detail keys is bounded, so a hostile or merely huge answer
// cannot blow up the report or leak a password into it.
import type { Status } from '../../schemas/report.js'
import { createRedactor, redactCapped } from '../../plugin/redact.js'
import { isSecretKey } from '../../plugin/secret-key.js'
import { listShapeOf, readAspNet, readMicroProfile, readPlainChecks, type AddCheck } from './read-check-lists.js'

export type HealthFormat = 'ietf' | 'spring' | 'terminus' | 'microprofile' | 'aspnet' | 'plain' | 'http'

export interface HealthCheck {
  /** The upstream's own name: an IETF `component:measurement` key, a dotted Spring path, a terminus key. */
  name: string
  status: Status
  /** Scalars and shallow objects only, secrets dropped, strings capped. */
  details?: Record<string, unknown>
}

export interface HealthReading {
  status: Status
  format: HealthFormat
  checks: HealthCheck[]
  /** Why, in words, when the answer is not plainly healthy or could not be fully read. */
  output?: string
}

export interface HealthAnswer {
  statusCode: number
  contentType?: string
  body?: string
}

/** Checks kept in a reading; past it the failing ones are kept first. */
export const MAX_CHECKS = 50
/** Characters kept of any string from the body (names, detail values, upstream output). */
export const MAX_STRING_LENGTH = 200
/** Keys kept per details object (and per nested object inside it). */
export const MAX_DETAIL_KEYS = 20
/** Scalar items kept per array inside details. */
export const MAX_ARRAY_ITEMS = 10
const MAX_OUTPUT_LENGTH = 2 * MAX_STRING_LENGTH
// Bounds on the work done walking the body, whatever its shape: entries visited (so also the
// candidates for the MAX_CHECKS selection) and nesting depth of Spring composite contributors.
const MAX_VISITS = 5000
const MAX_DEPTH = 8

type JsonRecord = Record<string, unknown>
const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v)
const RANK: Record<Status, number> = { ok: 0, degraded: 1, down: 2 }

// The package's one redaction policy (SPEC §5): `user:pass@` in URLs, bearer tokens, `password=…`.
// The report is redacted again where it is assembled, with the configured token; redacting here
// too is what makes the cap below safe, since text cut first could keep half a credential.
const redact = createRedactor()

function cap (s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s
}

/** A string from the body made safe to show: credentials redacted, then capped. */
export function safeString (s: string, max = MAX_STRING_LENGTH): string {
  return redactCapped(redact, s, max)
}

const isScalar = (v: unknown): v is string | number | boolean | null =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
const safeScalar = (v: string | number | boolean | null) => typeof v === 'string' ? safeString(v) : v

/**
 * Copies what is safe to show of an untrusted object: scalars, arrays of scalars and objects of
 * scalars one level down; keys that look like secrets (and `__proto__`) are dropped. Returns
 * undefined when nothing is left.
 */
export function safeDetails (obj: JsonRecord, omit: readonly string[] = [], nested = false): JsonRecord | undefined {
  const out: JsonRecord = {}
  let kept = 0
  for (const key of Object.keys(obj)) {
    if (kept >= MAX_DETAIL_KEYS) break
    if (key === '__proto__' || omit.includes(key) || isSecretKey(key)) continue
    const v = obj[key]
    let safe: unknown
    if (isScalar(v)) safe = safeScalar(v)
    else if (nested) continue
    else if (Array.isArray(v)) {
      const items = v.filter(isScalar).slice(0, MAX_ARRAY_ITEMS).map(safeScalar)
      if (items.length > 0) safe = items
    } else if (isRecord(v)) safe = safeDetails(v, [], true)
    if (safe === undefined) continue
    out[safeString(key, 100)] = safe
    kept++
  }
  return kept > 0 ? out : undefined
}

const OK_WORDS = new Set(['ok', 'healthy', 'up', 'pass', 'green'])
const DEGRADED_WORDS = new Set(['warn', 'warning', 'degraded', 'yellow'])
const DOWN_WORDS = new Set(['down', 'fail', 'error', 'unhealthy', 'red', 'out_of_service', 'shutting_down'])

/** A status word in any format, case-insensitive; undefined when the word is not one we know. */
function wordStatus (word: string, format: HealthFormat): Status | undefined {
  const w = word.trim().toLowerCase()
  // Spring's UNKNOWN is a status of its own: the app cannot tell, which is not healthy.
  if (format === 'spring' && w === 'unknown') return 'degraded'
  if (OK_WORDS.has(w)) return 'ok'
  if (DEGRADED_WORDS.has(w)) return 'degraded'
  if (DOWN_WORDS.has(w)) return 'down'
  return undefined
}

interface Collector { checks: HealthCheck[], visits: number, truncated: boolean }
const full = (c: Collector) => c.visits >= MAX_VISITS

function add (c: Collector, name: string, status: Status, details: JsonRecord | undefined): void {
  const check: HealthCheck = { name: safeString(name), status }
  // A check named like a secret (`password`, `vaultToken`) keeps its name and status, not its details.
  if (details !== undefined && !isSecretKey(name)) check.details = details
  c.checks.push(check)
}

// Statuses of checks: a word we do not know is not healthy (SPEC §6 reads plain words the same way).
const checkStatus = (v: unknown, format: HealthFormat): Status =>
  typeof v === 'string' ? (wordStatus(v, format) ?? 'down') : 'down'

// The list and map shapes (read-check-lists.ts) report each check through this, under the same
// bounds, word reading and secret-name rule as the shapes read here.
function adder (c: Collector, format: HealthFormat): AddCheck {
  return (name, word, details, omit) => {
    if (full(c)) { c.truncated = true; return false }
    c.visits++
    add(c, name, checkStatus(word, format), details === undefined ? undefined : safeDetails(details, omit))
    return true
  }
}

// IETF draft-inadarei-api-health-check §4.6: `checks` maps `component:measurement` to an array of
// check objects, one per node. `status` is optional there, so a reading without one is no failure.
function readIetf (body: JsonRecord, c: Collector): void {
  if (!isRecord(body.checks)) return
  for (const key of Object.keys(body.checks)) {
    if (full(c)) { c.truncated = true; break }
    const raw = body.checks[key]
    const entries = (Array.isArray(raw) ? raw : [raw]).filter(isRecord)
    c.visits += entries.length + 1
    if (entries.length === 0) continue
    // One check per key: the worst node speaks for it, with how many nodes there were.
    const entryStatus = (e: JsonRecord) => e.status === undefined ? 'ok' : checkStatus(e.status, 'ietf')
    let pick = entries[0]
    let status = entryStatus(pick)
    for (const e of entries.slice(1)) {
      const s = entryStatus(e)
      if (RANK[s] > RANK[status]) { status = s; pick = e }
    }
    const details = safeDetails(pick, ['status'])
    add(c, key, status, entries.length > 1 ? { ...details, instances: entries.length } : details)
  }
}

// Spring Boot Actuator: `components` (2.2+) or `details` (2.0, 2.1) or, in 1.x, the top level
// itself; composite contributors nest `components` (2.0: `details`) and are flattened to dotted names.
function readSpring (body: JsonRecord, c: Collector): void {
  const children = isRecord(body.components)
    ? body.components
    : isRecord(body.details) ? body.details : body
  walkSpring(children, '', 0, c)
}

function isContributorMap (v: unknown): v is JsonRecord {
  if (!isRecord(v)) return false
  const values = Object.values(v)
  return values.length > 0 && values.every(x => isRecord(x) && typeof x.status === 'string')
}

function walkSpring (children: JsonRecord, prefix: string, depth: number, c: Collector): void {
  for (const key of Object.keys(children)) {
    if (full(c)) { c.truncated = true; return }
    c.visits++
    const v = children[key]
    // Entries without a status are data (1.x top level), not contributors.
    if (!isRecord(v) || typeof v.status !== 'string' || key === '__proto__') continue
    const name = prefix + key
    const nested = isContributorMap(v.components) ? v.components : isContributorMap(v.details) ? v.details : undefined
    if (nested !== undefined && depth < MAX_DEPTH) {
      // A composite's status is its children's aggregate: the leaves say which one failed.
      walkSpring(nested, name + '.', depth + 1, c)
      continue
    }
    const details = isRecord(v.details) ? safeDetails(v.details) : safeDetails(v, ['status', 'components'])
    add(c, name, checkStatus(v.status, 'spring'), details)
  }
}

// @nestjs/terminus HealthCheckResult: `details` holds every indicator, `info` the up ones and
// `error` the down ones; older answers may lack `details`, and then a key in both reads as down.
function readTerminus (body: JsonRecord, c: Collector): void {
  const maps = isRecord(body.details) && Object.keys(body.details).length > 0
    ? [body.details]
    : [body.error, body.info].filter(isRecord)
  const seen = new Set<string>()
  for (const map of maps) {
    for (const key of Object.keys(map)) {
      if (full(c)) { c.truncated = true; return }
      c.visits++
      const v = map[key]
      if (!isRecord(v) || typeof v.status !== 'string' || seen.has(key)) continue
      seen.add(key)
      add(c, key, checkStatus(v.status, 'terminus'), safeDetails(v, ['status']))
    }
  }
}

const SPRING_WORDS = new Set(['UP', 'DOWN', 'OUT_OF_SERVICE', 'UNKNOWN'])
const TERMINUS_WORDS = new Set(['ok', 'error', 'shutting_down'])
const IETF_WORDS = new Set(['pass', 'warn', 'fail'])

function detectFormat (body: JsonRecord, contentType: string): Exclude<HealthFormat, 'http'> | undefined {
  const status = typeof body.status === 'string' ? body.status : undefined
  if (isRecord(body.checks) && Object.values(body.checks).some(v => Array.isArray(v))) return 'ietf'
  if (status !== undefined && IETF_WORDS.has(status)) return 'ietf'
  if (status !== undefined && TERMINUS_WORDS.has(status) &&
    (isRecord(body.info) || isRecord(body.error) || isRecord(body.details))) return 'terminus'
  const listShape = listShapeOf(body)
  if (listShape !== undefined) return listShape
  if ((status !== undefined && SPRING_WORDS.has(status)) || isRecord(body.components)) return 'spring'
  if (/^application\/health\+json\b/i.test(contentType)) return 'ietf'
  if (status !== undefined) return 'plain'
  return undefined
}

function selectChecks (all: HealthCheck[]): HealthCheck[] {
  if (all.length <= MAX_CHECKS) return all
  // Keep the failing ones first, then show them in the upstream's order.
  return all.map((check, i) => ({ check, i }))
    .sort((a, b) => RANK[b.check.status] - RANK[a.check.status] || a.i - b.i)
    .slice(0, MAX_CHECKS)
    .sort((a, b) => a.i - b.i)
    .map(x => x.check)
}

/**
 * Reads a health endpoint's answer: the format from the body's shape (and `application/health+json`
 * for IETF), falling back to the bare HTTP status. Any answer other than 2xx is down whatever the
 * body says, and its checks are still read (SPEC §8); a 2xx is whatever the body says.
 */
export function interpretHealth (input: HealthAnswer): HealthReading {
  const { statusCode } = input
  const contentType = input.contentType ?? ''
  const is2xx = statusCode >= 200 && statusCode < 300
  const notes: string[] = []
  const text = (input.body ?? '').replace(/^\uFEFF/, '').trim()
  const jsonType = /^application\/(?:[\w.-]+\+)?json\b/i.test(contentType.trim())

  let parsed: unknown
  let hasJson = false
  if (text !== '' && (jsonType || text.startsWith('{'))) {
    try {
      parsed = JSON.parse(text)
      hasJson = true
    } catch {
      if (jsonType) notes.push('body was not valid JSON')
    }
  }

  const format = isRecord(parsed) ? detectFormat(parsed, contentType) : undefined
  if (hasJson && format === undefined) notes.push('body is not a recognised health format')

  // Without a status word the HTTP status decides; a word we do not know is not healthy.
  let status: Status = is2xx ? 'ok' : 'down'
  const collector: Collector = { checks: [], visits: 0, truncated: false }
  let upstreamOutput: string | undefined
  if (format !== undefined && isRecord(parsed)) {
    const word = parsed.status
    if (typeof word === 'string') {
      const shown = safeString(word, 50)
      const bodyStatus = wordStatus(word, format)
      if (bodyStatus === undefined) notes.push(`unrecognised status "${shown}"`)
      else if (bodyStatus !== 'ok') notes.push(`reported "${shown}"`)
      status = bodyStatus ?? 'down'
    } else {
      notes.push('no status in body')
    }
    if (format === 'ietf') readIetf(parsed, collector)
    else if (format === 'spring') readSpring(parsed, collector)
    else if (format === 'terminus') readTerminus(parsed, collector)
    else if (format === 'microprofile') readMicroProfile(parsed, adder(collector, format))
    else if (format === 'aspnet') readAspNet(parsed, adder(collector, format))
    else readPlainChecks(parsed, adder(collector, format))
    if (format === 'ietf' && typeof parsed.output === 'string' && parsed.output.trim() !== '') {
      upstreamOutput = safeString(parsed.output.trim())
    }
  }

  if (!is2xx) {
    status = 'down'
    notes.unshift(`HTTP ${statusCode}`)
  }

  const checks = selectChecks(collector.checks)
  if (checks.length < collector.checks.length || collector.truncated) {
    notes.push(`${collector.checks.length}${collector.truncated ? '+' : ''} checks, ${checks.length} kept`)
  }
  if (status !== 'ok') {
    const failing = checks.filter(ch => ch.status !== 'ok').map(ch => ch.name)
    if (failing.length > 0) notes.push(`not ok: ${failing.slice(0, 5).join(', ')}${failing.length > 5 ? ', …' : ''}`)
  }
  if (upstreamOutput !== undefined) notes.push(upstreamOutput)

  const reading: HealthReading = { status, format: format ?? 'http', checks }
  if (notes.length > 0) reading.output = cap(notes.join('; '), MAX_OUTPUT_LENGTH)
  return reading
}
