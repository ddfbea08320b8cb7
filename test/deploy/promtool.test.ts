// deploy/prometheus/ checked by Prometheus's own tool: the rules load (`promtool check rules`) and
// each alert fires for the series it is meant for and not for the others (`promtool test rules`
// on alerts.test.yaml). promtool comes with Debian's prometheus package, which .ci/run installs;
// where it is missing these two tests skip and say so. Every alert having a unit test is checked
// with or without it.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { projectPath } from '../helpers/project-root.js'

const root = projectPath('.')
const promtool = (args: string[]) => spawnSync('promtool', args, { cwd: root, encoding: 'utf8', timeout: 60_000 })
const installed = promtool(['--version']).status === 0
const skip = installed ? false : 'promtool is not installed (Debian: apt-get install prometheus; .ci/run does)'

t.test('promtool: the alerting rules load', { skip }, async (t) => {
  const r = promtool(['check', 'rules', 'deploy/prometheus/alerts.yaml'])
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /SUCCESS: 11 rules found/)
})

t.test('promtool: every alert fires for its series and not for the others', { skip }, async (t) => {
  const r = promtool(['test', 'rules', 'deploy/prometheus/alerts.test.yaml'])
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /SUCCESS/)
})

t.test('every alert in alerts.yaml has a unit test in alerts.test.yaml', async (t) => {
  const alerts = [...readFileSync(`${root}deploy/prometheus/alerts.yaml`, 'utf8').matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1])
  const tested = new Set([...readFileSync(`${root}deploy/prometheus/alerts.test.yaml`, 'utf8').matchAll(/^\s*alertname: (\S+)$/gm)].map((m) => m[1]))
  t.equal(alerts.length, 11, 'eleven alerts')
  t.same(alerts.filter((a) => !tested.has(a)), [], 'none untested')
})
