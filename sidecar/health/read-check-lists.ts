// Health shapes whose checks are a plain list or map (SPEC §6): MicroProfile Health's `checks`
// array, ASP.NET Core's `entries` (HealthReport) or `results` (the common UIResponseWriter-style
// writers), and the hand-written `{status, checks: {name: "ok" | {status, error}}}` maps of FastAPI,
// Flask, Express or Go apps. Read from the specifications' own examples: MicroProfile Health 4.0
// §"Protocol and Wire format", ASP.NET Core's HealthReport/HealthReportEntry (status, description,
// duration, exception, data, tags), not from any other project's files.
type JsonRecord = Record<string, unknown>
const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Called for each check: its name, its status word as the body wrote it (read by the caller, which
 * knows the words), and the object whose other keys are its details (or undefined). Returns false
 * once no more checks are wanted (the caller's bound on work).
 */
export type AddCheck = (name: string, word: unknown, details: JsonRecord | undefined, omit: readonly string[]) => boolean

/** MicroProfile: `checks: [{ name, status: "UP" | "DOWN", data? }]`. */
export function readMicroProfile (body: JsonRecord, add: AddCheck): void {
  if (!Array.isArray(body.checks)) return
  for (const entry of body.checks) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue
    if (!add(entry.name, entry.status, isRecord(entry.data) ? entry.data : undefined, [])) return
  }
}

/** ASP.NET Core: `entries` (or `results`): `{ name: { status: "Healthy" | …, description?, exception?, data? } }`. */
export function readAspNet (body: JsonRecord, add: AddCheck): void {
  const map = isRecord(body.entries) ? body.entries : isRecord(body.results) ? body.results : undefined
  if (map === undefined) return
  for (const [name, entry] of Object.entries(map)) {
    if (!isRecord(entry)) continue
    if (!add(name, entry.status, entry, ['status', 'data', 'tags'])) return
  }
}

/** A hand-written map: `checks: { name: "ok" }` or `checks: { name: { status, error? } }`. */
export function readPlainChecks (body: JsonRecord, add: AddCheck): void {
  if (!isRecord(body.checks)) return
  for (const [name, entry] of Object.entries(body.checks)) {
    const more = isRecord(entry) ? add(name, entry.status, entry, ['status']) : add(name, entry, undefined, [])
    if (!more) return
  }
}

/** Which of these shapes the body has, if any; asked after the IETF, terminus and Spring checks. */
export function listShapeOf (body: JsonRecord): 'microprofile' | 'aspnet' | undefined {
  if (Array.isArray(body.checks) && body.checks.some((c) => isRecord(c) && typeof c.name === 'string')) return 'microprofile'
  if (isRecord(body.entries) || isRecord(body.results)) return 'aspnet'
  return undefined
}
