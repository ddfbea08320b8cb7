// The plugin options the sidecar derives from its settings are checked when the settings are, by
// the plugin's own resolveOptions, and a refusal names the setting the user set (issue 8, item 8:
// `--interval-ms 40000000` passed --check-config, then the start failed on "maxStaleMs").
import t from 'tap'
import { resolveOptions } from '../../../plugin/resolve-options.js'
import { loadConfig, type ResolvedSidecarConfig } from '../../../sidecar/config/load-config.js'
import { pluginOptionSettings, refusedPluginOption, sidecarPluginOptions } from '../../../sidecar/config/plugin-options.js'
import { SidecarSettings } from '../../../schemas/sidecar-config.js'

t.test('the options derived from the defaults', async (t) => {
  const c = await loadConfig({ argv: [], env: {} })
  // Options only: the sidecar's plumbing (its sources, no built-in ones) is not an option (issue 10.2).
  t.same(sidecarPluginOptions(c), {
    cacheTtlMs: 5000,
    maxStaleMs: 15000,
    windowMs: 60000,
    failOn: 'down'
  })
  t.equal(refusedPluginOption(c), undefined)
})

t.test('the token is passed only when set', async (t) => {
  const c = await loadConfig({ argv: ['--token', 'tkn-1', '--fail-on', 'degraded', '--interval-ms', '1000'], env: {} })
  const opts = sidecarPluginOptions(c)
  t.equal(opts.token, 'tkn-1')
  t.equal(opts.failOn, 'degraded')
  t.equal(opts.maxStaleMs, 3000, 'three intervals')
  t.equal(opts.cacheTtlMs, 1000, 'the interval')
})

t.test('the longest settings the sidecar accepts give options the plugin accepts', async (t) => {
  const max = (s: { schema: unknown }) => String((s.schema as { maximum: number }).maximum)
  const c = await loadConfig({
    argv: ['--interval-ms', max(SidecarSettings.intervalMs), '--window-ms', max(SidecarSettings.windowMs),
      '--cache-ttl-ms', max(SidecarSettings.cacheTtlMs)],
    env: {}
  })
  t.equal(refusedPluginOption(c), undefined)
  t.doesNotThrow(() => resolveOptions(sidecarPluginOptions(c)))
})

// The sidecar's own schema keeps these out; the check stands behind it, so that a limit changed on
// one side only is refused at --check-config, naming the setting, rather than at the start.
t.test('a derived option the plugin refuses names the setting it comes from', async (t) => {
  const base = await loadConfig({ argv: [], env: {} })
  const cases: Array<[Partial<ResolvedSidecarConfig>, string, string]> = [
    [{ intervalMs: 40_000_000 }, 'maxStaleMs', 'intervalMs'],
    [{ windowMs: 100_000_000 }, 'windowMs', 'windowMs'],
    [{ cacheTtlMs: 100_000_000 }, 'cacheTtlMs', 'cacheTtlMs'],
    [{ failOn: 'up' as 'down' }, 'failOn', 'failOn']
  ]
  for (const [change, option, setting] of cases) {
    const refused = refusedPluginOption(Object.freeze({ ...base, ...change }))
    t.equal(refused?.option, option, `${setting}: the option`)
    t.equal(refused?.setting, setting, `${setting}: the setting`)
    t.type(refused?.reason, 'string')
  }
})

t.test('every plugin option taken from a setting names a real setting', async (t) => {
  for (const [option, setting] of Object.entries(pluginOptionSettings)) {
    t.ok(setting in SidecarSettings, `${option} ← ${setting}`)
  }
})
