import { Value } from '@sinclair/typebox/value'
import t from 'tap'
import { SidecarConfig, SidecarSettingList, SidecarSettings } from '../../../schemas/sidecar-config.js'

// SPEC §8: names other code and people depend on.
const specFlags = ['--target', '--port', '--host', '--interval-ms', '--timeout-ms', '--cache-ttl-ms', '--window-ms',
  '--failure-threshold', '--success-threshold', '--health-path', '--metrics-path', '--websocket-path',
  '--max-body-bytes', '--token', '--fail-on', '--config', '--check-config', '--help']

t.test('the SPEC §8 flags exist', async (t) => {
  const flags = SidecarSettingList.map((s) => s.flag)
  for (const f of specFlags) t.ok(flags.includes(f), f)
})

t.test('flag, environment variable and config key are derived from one name', async (t) => {
  t.equal(SidecarSettings.intervalMs.flag, '--interval-ms')
  t.equal(SidecarSettings.intervalMs.env, 'RELIABILITY_INTERVAL_MS')
  t.equal(SidecarSettings.wsActiveConnectionsField.env, 'RELIABILITY_WS_ACTIVE_CONNECTIONS_FIELD')
  for (const s of SidecarSettingList) {
    t.match(s.flag, /^--[a-z]+(-[a-z]+)*$/, s.name)
    t.equal(s.env, `RELIABILITY_${s.flag.slice(2).replace(/-/g, '_').toUpperCase()}`, s.name)
    t.equal(s.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), s.name, `${s.name} round-trips`)
  }
  t.equal(new Set(SidecarSettingList.map((s) => s.env)).size, SidecarSettingList.length, 'no two settings share a variable')
})

t.test('the schema has one property per setting, and nothing else', async (t) => {
  t.same(Object.keys(SidecarConfig.properties), SidecarSettingList.map((s) => s.name))
  t.equal(SidecarConfig.additionalProperties, false)
})

t.test('every default passes its own schema', async (t) => {
  for (const s of SidecarSettingList) t.ok(Value.Check(s.schema, s.default), s.name)
})

t.test('the table is frozen', async (t) => {
  t.ok(Object.isFrozen(SidecarSettings))
  t.ok(Object.isFrozen(SidecarSettings.port))
  t.ok(Object.isFrozen(SidecarSettingList))
})
