import t from 'tap'
import { readFileSync } from 'node:fs'
import { engineFloor, formatVersion, imageMajor, parseVersion, satisfies, type Version } from './node-lines.js'
import { projectRoot } from '../helpers/project-root.js'

// engines.node must not promise a Node that a dependency refuses: the range once said >=20.19 while
// fastify's light-my-request pulled in cookie@2 (>=22). Every package in the lockfile is checked
// against the oldest Node claimed and the first release of each later major claimed, up to the
// image's: production packages (what users and the image install) and dev ones (what the README's
// `npm ci && npm test` installs). So the floor is 22.19, not the production tree's 22.12 (cookie@2
// is ESM-only and light-my-request require()s it, which Node 22 does without a flag only from
// 22.12; on 22.11 fastify fails to load with ERR_REQUIRE_ESM): fastify-metrics, used by the
// benchmarks, declares >=22.19.0; and Node 23 and 25, lines past their end of life that eslint's
// neostandard and @prometheus-io/client refuse, are left out. .ci/run runs the suite on the floor.

interface LockEntry { name?: string, version?: string, dev?: boolean, engines?: Record<string, string> | string[] }
interface Installed { name: string, version: string, dev: boolean, node?: string }

const root = projectRoot
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, LockEntry> }
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string>, devDependencies: Record<string, string> }

const installed: Installed[] = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .map(([path, entry]) => ({
    name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
    version: entry.version ?? '?',
    dev: entry.dev === true,
    // The old array form (["node >= 0.8"]) is read as well, so no claim slips through unread.
    node: Array.isArray(entry.engines)
      ? entry.engines.find((e) => e.startsWith('node'))?.replace(/^node\s*/, '')
      : entry.engines?.node
  }))

/** Each package whose engines.node refuses one of `versions`, with the versions it refuses. */
function contradictions (packages: Installed[], versions: Version[]): string[] {
  return packages.flatMap((p) => {
    if (p.node === undefined) return []
    const refused = versions.filter((v) => !satisfies(v, p.node as string))
    const which = p.dev ? ' (dev)' : ''
    return refused.length === 0 ? [] : [`${p.name}@${p.version}${which} (node ${p.node}) refuses ${refused.map(formatVersion).join(', ')}`]
  })
}

const { range, floor } = engineFloor()
const image = imageMajor()
/** The floor, then x.0.0 of every later major that engines.node admits, up to the image's. */
const claimed: Version[] = [floor]
for (let major = floor[0] + 1; major <= image; major++) {
  if (satisfies([major, 0, 0], range)) claimed.push([major, 0, 0])
}

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
  const packages: Installed[] = [
    { name: 'cookie', version: '2.0.2', dev: false, node: '>=22' },
    { name: 'undici', version: '7.30.2', dev: false, node: '>=20.18.1' },
    { name: 'neostandard', version: '0.13.0', dev: true, node: '^20.19.0 || ^22.13.0 || >=24' },
    { name: 'pino', version: '10.4.0', dev: false }
  ]
  t.same(contradictions(packages, [[20, 19, 0], [22, 0, 0]]), [
    'cookie@2.0.2 (node >=22) refuses 20.19.0',
    'neostandard@0.13.0 (dev) (node ^20.19.0 || ^22.13.0 || >=24) refuses 22.0.0'
  ])
  t.same(contradictions(packages, [[22, 19, 0], [24, 0, 0]]), [])
})

t.test('the whole lockfile is what is checked, dependencies and devDependencies', async (t) => {
  const names = new Set(installed.map((p) => p.name))
  for (const dep of Object.keys(pkg.dependencies)) t.ok(installed.some((p) => p.name === dep && !p.dev), `${dep}, production`)
  for (const dep of Object.keys(pkg.devDependencies)) t.ok(names.has(dep), `${dep}, dev`)
  t.ok(installed.filter((p) => p.node !== undefined).length > 0, 'some declare engines.node')
})

t.test('engines.node claims the image\'s line, and no dependency refuses a Node it claims', async (t) => {
  t.ok(satisfies([image, 0, 0], range), `Node ${image} (the image's) is in "${range}"`)
  t.same(contradictions(installed, claimed), [], `claimed: ${claimed.map(formatVersion).join(', ')}`)
})
