import t from 'tap'
import { readEnv } from '../../../sidecar/config/read-env.js'

t.test('reads only the settings\' RELIABILITY_* variables', async (t) => {
  t.same(readEnv({
    RELIABILITY_INTERVAL_MS: '7000',
    RELIABILITY_HEALTH_PATH: 'off',
    RELIABILITY_CONFIG: '/etc/sidecar.json',
    RELIABILITY_CHECK_CONFIG: 'true',
    INTERVAL_MS: '1',
    reliability_port: '1',
    PATH: '/usr/bin'
  }), {
    intervalMs: '7000',
    healthPath: 'off',
    config: '/etc/sidecar.json',
    checkConfig: 'true'
  })
})

t.test('keeps empty values, skips undefined ones', async (t) => {
  t.same(readEnv({ RELIABILITY_TOKEN: '', RELIABILITY_PORT: undefined }), { token: '' })
})

t.test('ignores RELIABILITY_HELP and Kubernetes service-link variables', async (t) => {
  t.same(readEnv({
    RELIABILITY_HELP: 'true',
    RELIABILITY_SERVICE_HOST: '10.0.0.7',
    RELIABILITY_SERVICE_PORT: '9000',
    RELIABILITY_PORT_9000_TCP: 'tcp://10.0.0.7:9000'
  }), {})
})

t.test('does not read process.env', async (t) => {
  process.env.RELIABILITY_TARGET_NAME = 'from-process'
  t.teardown(() => { delete process.env.RELIABILITY_TARGET_NAME })
  t.same(readEnv({}), {})
})
