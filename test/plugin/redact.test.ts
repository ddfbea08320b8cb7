import t from 'tap'
import { ReliabilityErrors } from '../../plugin/errors.js'
import { createRedactor, redactCapped, redactError } from '../../plugin/redact.js'

const TOKEN = 'tok_9f8e7d6c5b4a'

t.test('secrets are removed, the rest of the text kept', async (t) => {
  const redact = createRedactor([TOKEN])
  const cases: Array<{ name: string, input: string, secret: string, keeps: string[] }> = [
    { name: 'URL credentials', input: 'connect postgres://user:secret@db/x failed', secret: 'secret', keeps: ['postgres://', '@db/x failed'] },
    { name: 'URL credentials, user only', input: 'GET https://admin@api.internal/v1', secret: 'admin', keeps: ['https://', 'api.internal/v1'] },
    { name: 'URL credentials, two URLs', input: 'redis://:hunter2@cache:6379 then amqp://u:p4ss@mq', secret: 'hunter2', keeps: ['cache:6379'] },
    { name: 'second URL of two', input: 'redis://:hunter2@cache:6379 then amqp://u:p4ss@mq', secret: 'p4ss', keeps: ['@mq'] },
    { name: 'Bearer token', input: 'Authorization header was Bearer eyJhbGciOi.J9eyJzdWIi.OiIxMjM0', secret: 'eyJhbGciOi', keeps: ['Bearer'] },
    { name: 'lowercase bearer', input: 'sent bearer abc123def456', secret: 'abc123def456', keeps: ['sent'] },
    { name: 'Basic credentials', input: 'Basic dXNlcjpwYXNzd29yZA==', secret: 'dXNlcjpwYXNzd29yZA', keeps: ['Basic'] },
    { name: 'password=', input: 'login failed: user=bob password=hunter2; retry', secret: 'hunter2', keeps: ['user=bob', 'password=', '; retry'] },
    { name: 'password: in JSON', input: '{"user":"bob","password":"hunter2"}', secret: 'hunter2', keeps: ['"user":"bob"'] },
    { name: 'api_key query', input: 'GET /v1?api_key=AKIA1234&page=2', secret: 'AKIA1234', keeps: ['&page=2'] },
    { name: 'secret=', input: 'client secret=s3cr3t-value', secret: 's3cr3t-value', keeps: ['client'] },
    { name: 'authorization: header line', input: 'authorization: xyz-opaque-credential', secret: 'xyz-opaque-credential', keeps: ['authorization'] },
    { name: 'the exact configured token', input: `the header carried ${TOKEN}!`, secret: TOKEN, keeps: ['the header carried ', '!'] },
    { name: 'the configured token glued to other text', input: `x${TOKEN}y`, secret: TOKEN, keeps: ['x', 'y'] }
  ]
  for (const c of cases) {
    const out = redact(c.input)
    t.notMatch(out, c.secret, `${c.name}: secret gone (${out})`)
    t.match(out, '***', `${c.name}: marked`)
    for (const keep of c.keeps) t.match(out, keep, `${c.name}: keeps ${keep}`)
  }
})

t.test('a raw @ inside the password does not leave the rest of the password behind', async (t) => {
  // WHATWG URL (and so undici and pg-connection-string) split userinfo at the last @, so this URL
  // works with the password "p@ssw0rd"; the redactor stops at the first @ and shows "ssw0rd".
  const out = createRedactor()('connect postgres://app:p@ssw0rd@db:5432/x failed')
  t.equal(new URL('postgres://app:p@ssw0rd@db:5432/x').hostname, 'db')
  t.notMatch(out, 'ssw0rd', `secret gone (${out})`)
  t.match(out, '@db:5432/x failed')
})

t.test('text without secrets passes unchanged', async (t) => {
  const redact = createRedactor([TOKEN])
  for (const text of ['', 'source "cache" failed: ECONNREFUSED 127.0.0.1:6379', 'GET http://127.0.0.1:3000/health answered HTTP 503']) {
    t.equal(redact(text), text)
  }
})

t.test('empty and undefined secrets are ignored, not matched everywhere', async (t) => {
  const redact = createRedactor(['', undefined])
  t.equal(redact('plain words'), 'plain words')
  t.equal(createRedactor()('plain words'), 'plain words')
})

t.test('the redactor can be called repeatedly (no global regex state leaks between calls)', async (t) => {
  const redact = createRedactor()
  for (let i = 0; i < 3; i++) t.equal(redact('postgres://u:pw@db/x'), 'postgres://***@db/x', `call ${i}`)
})

t.test('redactError keeps code and name, redacts message and stack', async (t) => {
  const redact = createRedactor([TOKEN])
  const original = ReliabilityErrors.SOURCE_FAILED('db', `connect postgres://app:secret@db/x with ${TOKEN}`)
  const copy = redactError(original, redact)
  t.equal((copy as Error & { code?: string }).code, 'RELIABILITY_ERR_SOURCE_FAILED')
  t.equal(copy.name, original.name)
  t.ok(copy instanceof Error)
  t.not(copy, original, 'a copy')
  for (const secret of ['secret', TOKEN]) {
    t.notMatch(copy.message, secret, `message without ${secret}`)
    t.notMatch(copy.stack ?? '', secret, `stack without ${secret}`)
  }
  t.match(copy.stack, /redact\.test\.ts/, 'the stack frames are kept')
  t.match(original.message, 'secret', 'the original is untouched')
})

t.test('redactError: no code stays no code; a non-string code is dropped; no stack stays none', async (t) => {
  const redact = createRedactor()
  const plain = redactError(new Error('x'), redact)
  t.notOk('code' in plain)
  const numeric = redactError(Object.assign(new Error('x'), { code: 11000 }), redact)
  t.notOk('code' in numeric)
  const stackless = new Error('y')
  stackless.stack = undefined
  t.equal(redactError(stackless, redact).stack, undefined)
})

t.test('a configured secret cut in two by an earlier cap loses its first characters too', async (t) => {
  const redact = createRedactor([TOKEN])
  const table: Array<[string, string]> = [
    [`sent ${TOKEN.slice(0, 10)}…`, 'sent ***…'],
    [`sent ${TOKEN.slice(0, 4)}…`, 'sent ***…'],
    // Three characters or fewer could end any word: not a secret's trace worth a mark.
    [`sent ${TOKEN.slice(0, 3)}…`, `sent ${TOKEN.slice(0, 3)}…`],
    // Only at a cut: the same letters elsewhere are just letters.
    [`sent ${TOKEN.slice(0, 10)} and more`, `sent ${TOKEN.slice(0, 10)} and more`]
  ]
  for (const [input, expected] of table) t.equal(redact(input), expected, input)
})

t.test('redactCapped: redacts first, then caps; past its window cuts where no credential spans', async (t) => {
  const redact = createRedactor([TOKEN])
  const table: Array<[string, string, number, string]> = [
    ['short text kept', 'plain words', 200, 'plain words'],
    ['capped with a mark', 'x'.repeat(300), 200, 'x'.repeat(199) + '…'],
    ['redacted before the cut', 'x'.repeat(20) + ' postgres://app:hunter2@db/x', 30, 'x'.repeat(20) + ' postgres…'],
    ['the redacted text may fit', 'y'.repeat(10) + ' postgres://app:hunter2@db/x', 40, 'y'.repeat(10) + ' postgres://***@db/x'],
    // Past the 16 KiB window, the text is cut at its last whitespace there, so the URL whose
    // password straddles the window's edge is dropped whole, not shown up to its `@`.
    ['long text, cut at a space', 'w '.repeat(8188) + 'postgres://app:' + 'p'.repeat(100) + '@db', 40, 'w '.repeat(19) + 'w…'],
    ['long run without a space', 'z'.repeat(100_000), 10, 'z'.repeat(9) + '…'],
    ['the token at the window edge', 'q'.repeat(16_380) + TOKEN + ' tail', 20_000, 'q'.repeat(16_380) + '***…']
  ]
  for (const [name, input, max, expected] of table) {
    const out = redactCapped(redact, input, max)
    t.equal(out, expected, name)
    t.ok(out.length <= max, `${name}: within ${max}`)
    t.notMatch(out, /hunter2|ppp/, `${name}: no password`)
  }
})
