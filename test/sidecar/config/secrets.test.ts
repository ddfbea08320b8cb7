import { inspect } from 'node:util'
import t from 'tap'
import { loadConfig, redactUrl } from '../../../sidecar/config/load-config.js'

const TOKEN = 'tok-7f3a9c1e'
const USER = 'usr-c0ffee'
const PASSWORD = 'pw-b81e4d'
const TARGET = `http://${USER}:${PASSWORD}@app.internal:3000`
const SECRETS = [TOKEN, USER, PASSWORD]

/** Whether `text` shows any 8 characters in a row of `secret`: a partial leak is a leak. */
function leaks (text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true
  return false
}

interface Case { name: string, argv?: string[], env?: Record<string, string>, file?: string }

// Each case fails; the token and the credentials sit where a careless message would pick them up.
const cases: Case[] = [
  { name: 'bad port beside a token flag', argv: ['--token', TOKEN, '--target', TARGET, '--port', 'x'] },
  { name: 'target with credentials and a bad port', argv: [`--target=http://${USER}:${PASSWORD}@app:99999`] },
  { name: 'target with credentials and the ftp scheme', env: { RELIABILITY_TARGET: `ftp://${USER}:${PASSWORD}@files` } },
  { name: 'unparseable target with credentials', argv: ['--target', `http://${USER}:${PASSWORD}@`] },
  { name: 'token given to the wrong setting', argv: ['--token', TOKEN, '--fail-on', TOKEN] },
  { name: 'password given to the wrong setting', argv: ['--target', TARGET, '--log-level', PASSWORD] },
  { name: 'token inside a bad value', env: { RELIABILITY_TOKEN: TOKEN, RELIABILITY_HEALTH_PATH: `x${TOKEN}` } },
  { name: 'token under a misspelt flag', argv: [`--tokn=${TOKEN}`] },
  { name: 'token after a misspelt flag', argv: ['--tokn', TOKEN] },
  { name: 'token as a stray argument', argv: ['--check-config', TOKEN] },
  { name: 'token flag missing its value', argv: ['--target', TARGET, '--token'] },
  { name: 'timeout above interval with secrets set', argv: ['--timeout-ms', '9000'], env: { RELIABILITY_TOKEN: TOKEN, RELIABILITY_TARGET: TARGET } },
  { name: 'invalid JSON file holding the token', file: `{"token": "${TOKEN}", "target": "${TARGET}" oops}` },
  { name: 'unquoted token in the file (V8 quotes the text around it)', file: `{"token": ${TOKEN}}` },
  { name: 'invalid JSON right after the token', file: `{"token": "${TOKEN}"` },
  { name: 'file with an unknown key and secrets', file: JSON.stringify({ token: TOKEN, target: TARGET, colour: 'blue' }) },
  { name: 'file with a bad value and secrets', file: JSON.stringify({ token: TOKEN, target: TARGET, port: TOKEN }) },
  { name: 'file with the token as a number', file: JSON.stringify({ token: 12345, target: TARGET }) },
  { name: 'token that is an object', file: JSON.stringify({ token: { value: TOKEN } }) },
  // Issue 8, item 7: refused for what no header can carry, still without showing it.
  { name: 'token with a space in it', argv: ['--token', `${TOKEN} ${PASSWORD}`] },
  { name: 'token ending in a newline', env: { RELIABILITY_TOKEN: `${TOKEN}\n` } },
  { name: 'target whose user name is not valid percent-encoding', argv: ['--target', `http://${USER}%ZZ:${PASSWORD}@app.internal`] },
  { name: 'target whose password is not valid percent-encoding', argv: ['--target', `http://${USER}:${PASSWORD}%C3@app.internal`] }
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const argv = [...(c.argv ?? [])]
    if (c.file !== undefined) argv.push('--config', `${t.testdir({ 'c.json': c.file })}/c.json`)
    const err = await loadConfig({ argv, env: c.env ?? {} }).then(() => undefined, (e: unknown) => e as Error & { code?: string })
    if (err === undefined) {
      t.fail('expected the configuration to be refused')
      return
    }
    t.equal(err.code, 'RELIABILITY_ERR_INVALID_CONFIG')
    const shown = `${err.message}\n${err.stack ?? ''}\n${inspect(err, { depth: 10 })}`
    for (const secret of SECRETS) t.notOk(leaks(shown, secret), `${secret} is not shown, even in part`)
  })
}

t.test('the secrets checks above can fail: a value that is not secret is echoed', async (t) => {
  const err = await loadConfig({ argv: ['--fail-on', 'pw-b81e4x'], env: {} }).catch((e: Error) => e)
  t.ok(leaks(String(err), PASSWORD), 'a near-copy of the password counts as a leak')
})

t.test('redactUrl', async (t) => {
  t.equal(redactUrl(TARGET), 'http://***:***@app.internal:3000/')
  t.equal(redactUrl(`https://${USER}@app/x?y=1`), 'https://***@app/x?y=1')
  t.equal(redactUrl('http://app.internal:3000'), 'http://app.internal:3000', 'no credentials: unchanged')
  t.equal(redactUrl(`http://${USER}:${PASSWORD}@app:99999/x`), 'http://***@app:99999/x', 'unparseable: still redacted')
  t.equal(redactUrl(`http://${USER}:${PASSWORD}@`), 'http://***@')
  for (const url of [TARGET, `http://${USER}:${PASSWORD}@app:99999/x`]) {
    for (const secret of [USER, PASSWORD]) t.notOk(leaks(redactUrl(url), secret))
  }
})
