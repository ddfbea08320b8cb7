// The Node versions the package claims, read from where they are declared (package.json's
// engines.node, the Dockerfile's NODE_IMAGE), and a reader of npm `engines` ranges to check them
// against the dependencies' own claims. .ci/run reads the same two places to choose the Node
// binaries it runs the suite on, so the lines tested and the lines claimed cannot drift apart.
// The package has no semver library among its dependencies; engines ranges use a small grammar.
import { readFileSync } from 'node:fs'
import { projectRoot } from '../helpers/project-root.js'

export type Version = [major: number, minor: number, patch: number]

const root = projectRoot

export const formatVersion = (v: Version): string => v.join('.')

export function compareVersions (a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** `22`, `22.12`, `v22.12.0` → [22, 12, 0]. */
export function parseVersion (text: string): Version {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim())
  if (m === null) throw new Error(`not a version: ${text}`)
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)]
}

type Test = (v: Version) => boolean
const at = (op: string, bound: Version): Test => (v) => {
  const c = compareVersions(v, bound)
  return op === '>=' ? c >= 0 : op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c === 0
}
const both = (a: Test, b: Test): Test => (v) => a(v) && b(v)
const any: Test = () => true

/** One comparator (`>=22`, `^16`, `10.x`, `~1.2`, `*`) as a test; partial versions as npm reads them. */
function comparator (token: string): Test {
  const m = /^(>=|<=|>|<|=|\^|~>?)?v?(?:(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?)?$/.exec(token)
  if (m === null) throw new Error(`unsupported engines comparator: ${token}`)
  const op = m[1] ?? '='
  // Given numeric parts, up to the first missing or wildcard one.
  const parts: number[] = []
  for (const p of [m[2], m[3], m[4]]) {
    if (p === undefined || /^[xX*]$/.test(p)) break
    parts.push(Number(p))
  }
  const low: Version = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0]
  // The first version past the given parts: 22 → 23.0.0, 22.12 → 22.13.0.
  const next = (n: number): Version => {
    const v: Version = [low[0], low[1], low[2]]
    v[n - 1] += 1
    for (let i = n; i < 3; i++) v[i] = 0
    return v
  }
  if (parts.length === 0) return op === '<' || op === '>' ? () => false : any
  const full = parts.length === 3
  switch (op) {
    case '>=': return at('>=', low)
    case '<': return at('<', low)
    case '>': return full ? at('>', low) : at('>=', next(parts.length))
    case '<=': return full ? at('<=', low) : at('<', next(parts.length))
    case '=': return full ? at('=', low) : both(at('>=', low), at('<', next(parts.length)))
    case '^': {
      // The first non-zero part given is the one that may not change.
      const fixed = low[0] !== 0 || parts.length === 1 ? 1 : low[1] !== 0 || parts.length === 2 ? 2 : 3
      return both(at('>=', low), at('<', next(fixed)))
    }
    default: // ~ and ~>
      return both(at('>=', low), at('<', next(Math.min(parts.length, 2))))
  }
}

/**
 * Whether `version` satisfies an npm engines range: `||` alternatives of comparators, hyphen
 * ranges, x-ranges, ^ and ~. Prerelease tags and anything else throw, so an unreadable range is
 * seen rather than passed.
 */
export function satisfies (version: Version, range: string): boolean {
  return range.split('||').some((alternative) => {
    const text = alternative.trim()
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
    const tokens = hyphen !== null
      ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`]
      : text.replace(/(>=|<=|>|<|=|\^|~>?)\s+/g, '$1').split(/\s+/).filter((t) => t !== '')
    return tokens.every((token) => comparator(token)(version))
  })
}

/**
 * engines.node and the oldest Node it admits: alternatives each starting at `^X.Y.Z` or `>=X.Y.Z`
 * (`^22.19.0 || ^24.0.0 || >=26.0.0`), the first being the lowest, which .ci/run tests.
 */
export function engineFloor (): { range: string, floor: Version } {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines?: { node?: string } }
  const range = pkg.engines?.node ?? ''
  const lows = range.split('||').map((alternative) => /^\s*(?:\^|>=)\s*(\d+(?:\.\d+){0,2})\s*$/.exec(alternative))
  if (range.trim() === '' || lows.some((m) => m === null)) {
    throw new Error(`engines.node is not "^X.Y.Z || … || >=X.Y.Z": ${JSON.stringify(range)}`)
  }
  const versions = lows.map((m) => parseVersion((m as RegExpExecArray)[1]))
  if (versions.some((v) => compareVersions(v, versions[0]) < 0)) throw new Error(`engines.node does not start at its lowest version: ${range}`)
  return { range, floor: versions[0] }
}

/** The Docker image's Node major: the default of `ARG NODE_IMAGE=node:<major>…`. */
export function imageMajor (dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8')): number {
  const m = /^ARG NODE_IMAGE=node:(\d+)\b/m.exec(dockerfile)
  if (m === null) throw new Error('the Dockerfile has no ARG NODE_IMAGE=node:<major>… default')
  return Number(m[1])
}
