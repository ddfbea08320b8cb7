import t from 'tap'
import { helpText } from '../../../sidecar/config/help-text.js'
import { SidecarSettingList } from '../../../schemas/sidecar-config.js'

t.test('every setting: flag, environment variable, default and help line', async (t) => {
  const text = helpText()
  const lines = text.split('\n')
  for (const s of SidecarSettingList) {
    const at = lines.findIndex((l) => new RegExp(`^  (-\\w, )?${s.flag}( |$)`).test(l))
    t.not(at, -1, `${s.flag} listed`)
    if (s.sources.includes('env')) t.match(lines[at], s.env, `${s.env} beside ${s.flag}`)
    else t.notMatch(lines[at], s.env, `${s.env} not offered`)
    t.equal(lines[at + 1]?.trim(), s.help, `${s.flag} help line`)
    const shown = s.default === null ? /default: (unset|none)/ : s.defaultFrom !== undefined ? `default: ${s.defaultFrom.text};` : `default: ${String(s.default)};`
    t.match(lines[at + 2], shown, `${s.flag} default`)
  }
})

t.test('SPEC §8 defaults appear as written there', async (t) => {
  const text = helpText()
  for (const d of ['default: 9000', 'default: 0.0.0.0', 'default: 5000', 'default: 2000', 'default: 60000', 'default: 1048576',
    'default: down', 'default: the value of --interval-ms',
    'default: 2000, or 80 % of --interval-ms when that is shorter']) {
    t.ok(text.includes(d), d)
  }
})

t.test('the paths: auto by default, the candidates in order, the re-probe period, explicit paths not hidden (issue 9)', async (t) => {
  const lines = helpText().split('\n')
  const block = (flag: string) => lines.slice(lines.findIndex((l) => l.startsWith(`  ${flag} `)), undefined).slice(0, 3).join('\n')
  for (const flag of ['--health-path', '--metrics-path', '--websocket-path']) {
    t.match(block(flag), `${flag} <path|auto|off>`, `${flag}: its values`)
    t.match(block(flag), 'default: auto;', `${flag}: discovered by default`)
    t.match(block(flag), /asked again every 5 min/, `${flag}: the re-probe period`)
    t.match(block(flag), /set explicitly is always polled as given: its 404 or HTML is not hidden/, `${flag}: configured paths win`)
  }
  t.match(block('--health-path'), 'the first of /health, /healthz, /actuator/health, /-/healthy, /livez, /status that answers')
  t.match(block('--health-path'), /none, or off: the app's critical service then follows the metrics endpoint's reachability/)
  t.match(block('--metrics-path'), 'the first of /metrics, /actuator/prometheus that answers')
  t.match(block('--websocket-path'), 'the first of /admin/websocket that answers with a JSON object')
})

t.test('says the precedence', async (t) => {
  t.match(helpText(), /flags > RELIABILITY_\* environment variables > --config JSON file .* > defaults/)
})
