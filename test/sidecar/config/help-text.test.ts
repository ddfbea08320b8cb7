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
    'default: /health', 'default: /metrics', 'default: /admin/websocket', 'default: down', 'default: the value of --interval-ms',
    'default: 2000, or 80 % of --interval-ms when that is shorter']) {
    t.ok(text.includes(d), d)
  }
})

t.test('says the precedence', async (t) => {
  t.match(helpText(), /flags > RELIABILITY_\* environment variables > --config JSON file .* > defaults/)
})
