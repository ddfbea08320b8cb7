import t from 'tap'
import { readFileSync } from 'node:fs'
import { engineFloor, formatVersion, imageMajor, parseVersion, satisfies, type Version } from './node-lines.js'

// engines.node must not promise a Node that a production dependency refuses: the range once said
// >=20.19 while fastify's light-my-request pulled in cookie@2 (>=22). Every production package in
// the lockfile (what `npm ci --omit=dev` installs, in the image too) is checked against the floor
// and each later major up to the image's line. The floor is 22.12, not 22.0: cookie@2 is ESM-only
// and light-my-request require()s it, which Node 22 does without a flag only from 22.12 (on 22.11
// fastify fails to load with ERR_REQUIRE_ESM); .ci/run runs the whole suite on the floor itself.

interface LockEntry { name?: string, version?: string, dev?: boolean, engines?: Record<string, string> | string[] }
interface Production { name: string, version: string, node?: string }

const root = new URL('../../', import.meta.url)
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, LockEntry> }
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> }

const production: Production[] = Object.entries(lock.packages)
  .filter(([path, entry]) => path !== '' && entry.dev !== true)
  .map(([path, entry]) => ({
    name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
    version: entry.version ?? '?',
    // The old array form (["node >= 0.8"]) is read as well, so no claim slips through unread.
    node: Array.isArray(entry.engines)
      ? entry.engines.find((e) => e.startsWith('node'))?.replace(/^node\s*/, '')
      : entry.engines?.node
  }))

/** Each package whose engines.node refuses one of `versions`, with the versions it refuses. */
function contradictions (packages: Production[], versions: Version[]): string[] {
  return packages.flatMap((p) => {
    if (p.node === undefined) return []
    const refused = versions.filter((v) => !satisfies(v, p.node as string))
    return refused.length === 0 ? [] : [`${p.name}@${p.version} (node ${p.node}) refuses ${refused.map(formatVersion).join(', ')}`]
  })
}

const { floor } = engineFloor()
const image = imageMajor()
/** The floor, then x.0.0 of every later major up to the image's: all of them are claimed. */
const claimed: Version[] = [floor]
for (let major = floor[0] + 1; major <= image; major++) claimed.push([major, 0, 0])

t.test('the engines reader reads npm ranges as npm does', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['>=22', '22.0.0', true],
    ['>=22', '20.19.0', false],
    ['>=20.18.1', '20.18.0', false],
    ['>= 10.x', '10.0.0', true],
    ['>= 0.8', '0.7.9', false],
    ['^16 || ^18 || >=20', '19.9.0', false],
    ['^16 || ^18 || >=20', '18.20.0', true],
    ['^16 || ^18 || >=20', '26.0.0', true],
    ['^20.19.0 || >=22.12.0', '22.11.0', false],
    ['^20.19.0 || >=22.12.0', '20.20.2', true],
    ['^20.19.0 || >=22.12.0', '21.0.0', false],
    ['^0.10.1', '0.11.0', false],
    ['~18.2', '18.3.0', false],
    ['~18.2', '18.2.9', true],
    ['20.x', '21.0.0', false],
    ['18 - 20', '20.99.0', true],
    ['18 - 20', '21.0.0', false],
    ['>18 <=20.5', '18.9.9', false],
    ['>18 <=20.5', '20.5.7', true],
    ['*', '0.1.0', true],
    ['', '26.12.1', true]
  ]
  for (const [range, version, expected] of cases) {
    t.equal(satisfies(parseVersion(version), range), expected, `${version} in "${range}"`)
  }
  t.throws(() => satisfies([22, 0, 0], '>=22.0.0-rc.1'), /unsupported/, 'prereleases are refused, not guessed')
})

t.test('the check is live: the old floor is caught, with the package that refuses it', async (t) => {
  const packages: Production[] = [
    { name: 'cookie', version: '2.0.2', node: '>=22' },
    { name: 'undici', version: '7.30.2', node: '>=20.18.1' },
    { name: 'pino', version: '10.4.0' }
  ]
  t.same(contradictions(packages, [[20, 19, 0], [22, 0, 0]]), ['cookie@2.0.2 (node >=22) refuses 20.19.0'])
  t.same(contradictions(packages, [[22, 12, 0]]), [])
})

t.test('the lockfile\'s production tree is what is checked', async (t) => {
  const names = new Set(production.map((p) => p.name))
  for (const dep of Object.keys(pkg.dependencies)) t.ok(names.has(dep), `${dep} is in it`)
  t.notOk(names.has('tap'), 'devDependencies are not')
  t.ok(production.filter((p) => p.node !== undefined).length > 0, 'some declare engines.node')
})

t.test('no production dependency refuses a Node that engines.node claims', async (t) => {
  t.ok(image >= floor[0], `the image's Node ${image} is within engines (floor ${formatVersion(floor)})`)
  t.same(contradictions(production, claimed), [], `claimed: ${claimed.map(formatVersion).join(', ')}`)
})
