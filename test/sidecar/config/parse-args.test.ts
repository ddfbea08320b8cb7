import t from 'tap'
import { parseArgs } from '../../../sidecar/config/parse-args.js'

t.test('--name value, --name=value and boolean flags', async (t) => {
  t.same(parseArgs([]), {})
  t.same(parseArgs(['--port', '9001', '--host=127.0.0.1', '--check-config', '-h']), {
    port: '9001', host: '127.0.0.1', checkConfig: 'true', help: 'true'
  })
})

t.test('a value may hold = and start with one dash', async (t) => {
  t.same(parseArgs(['--token=a=b==', '--port', '-1']), { token: 'a=b==', port: '-1' })
  t.same(parseArgs(['--token=--odd']), { token: '--odd' })
  t.same(parseArgs(['--token=']), { token: '' }, 'empty, refused later by the schema')
})

t.test('a boolean flag takes a value only after =', async (t) => {
  t.same(parseArgs(['--check-config=false']), { checkConfig: 'false' })
  t.throws(() => parseArgs(['--check-config', 'false']), { code: 'RELIABILITY_ERR_INVALID_CONFIG', message: /"argument 2"/ })
})

t.test('the last of a repeated flag wins', async (t) => {
  t.same(parseArgs(['--port', '1', '--port', '2']), { port: '2' })
})

t.test('refusals name the flag, never the value', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--nope=hunter2'], /^invalid setting "--nope": unknown flag/],
    [['--Port', '1'], /"--Port": unknown flag/],
    [['--target-Name', 'x'], /"--target-Name": unknown flag/],
    [['--'], /"--": unknown flag/],
    [['--port'], /"port \(--port\)": the flag needs a value/],
    [['--token', '--port', '1'], /"token \(--token\)": the flag needs a value/],
    [['hunter2'], /"argument 1": unexpected value/],
    [[`--${'x'.repeat(200)}\u0007`], /"--x{58}…": unknown flag/]
  ]
  for (const [argv, message] of cases) {
    const err = (() => { try { parseArgs(argv); return undefined } catch (e) { return e as Error & { code: string } } })()
    t.equal(err?.code, 'RELIABILITY_ERR_INVALID_CONFIG', argv.join(' '))
    t.match(err?.message, message, argv.join(' '))
    t.notOk(err?.message.includes('hunter2'))
  }
})
