// `node dist/bench/profile-top.js <file.cpuprofile> [count]`: where a V8 CPU profile (what
// `--cpu-prof` on a server child wrote) spent its samples: the top functions by self time, then by
// total time (self plus callees), each with its share of all samples.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface Profile { nodes: ProfileNode[] }

const file = process.argv[2]
const count = Number(process.argv[3] ?? 20)
if (!file) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [count]\n')
  process.exit(2)
}
const { nodes } = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id)

function frameOf (n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame
  const where = url === '' ? '' : ` ${url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '').replace(/^file:\/\//, '')}:${lineNumber + 1}`
  return `${functionName || '(anonymous)'}${where}`
}

const self = new Map<string, number>()
const total = new Map<string, number>()
let all = 0
for (const n of nodes) {
  const hits = n.hitCount ?? 0
  if (hits === 0) continue
  all += hits
  self.set(frameOf(n), (self.get(frameOf(n)) ?? 0) + hits)
  // Each function on the stack once, however deep it recurses.
  const onStack = new Set<string>()
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) onStack.add(frameOf(byId.get(id)!))
  for (const f of onStack) total.set(f, (total.get(f) ?? 0) + hits)
}

const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`${title}\n`)
  for (const [frame, hits] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    process.stdout.write(`${(hits / all * 100).toFixed(1).padStart(5)}%  ${frame}\n`)
  }
}
process.stdout.write(`${file}: ${all} samples\n`)
print('self time:', self)
print('total time (self + callees):', total)
