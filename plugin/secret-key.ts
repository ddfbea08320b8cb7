// Which keys of a free-form object (a health check's details, an upstream health body) hold a
// secret, whatever the value looks like: `{ "dbPass": "hunter2" }` has nothing in its value for the
// text redactor to recognise. Keys are read as words (issue 8.6: one regex over the whole key missed
// `pass`, `dbPass`, `db_pwd`, `passphrase`, `jwt`, `sessionId`, `accessKey`, `dsn`, `connectionString`,
// and substrings cannot tell `pass` from `bypass` or `compass`).

// A word that is a secret on its own.
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'pw', 'pass', 'passphrase', 'passcode',
  'secret', 'secrets', 'token', 'tokens', 'jwt', 'bearer',
  'cookie', 'cookies', 'authorization', 'authorisation',
  'credential', 'credentials', 'creds', 'dsn',
  'apikey', 'privatekey', 'accesskey', 'secretkey', 'sessionid', 'connectionstring', 'connstr'
])
// Two words that are a secret together, though neither is alone (`key`, `session`, `string`).
const SECRET_PAIRS = new Set([
  'api key', 'private key', 'access key', 'secret key', 'signing key', 'encryption key', 'master key',
  'client key', 'ssh key', 'auth key', 'session id', 'session key', 'connection string',
  'connection strings', 'conn str', 'conn string', 'basic auth', 'auth header', 'set cookie'
])
// Stems that make a secret of any word they are part of: keys written in one lowercase run
// (`dbpassword`, `clientsecret`, `xapikey`) cannot be split into words.
const SECRET_STEMS = ['password', 'passwd', 'passphrase', 'secret', 'credential', 'authoriz', 'authoris', 'cookie', 'apikey', 'privatekey', 'accesskey']
// Endings that do the same (`accesstoken`, `csrftoken`, `dbpwd`); `pass` is not one: `bypass`, `compass`.
const SECRET_ENDINGS = ['token', 'tokens', 'pwd']
// A key that ends in one of these is about a secret, not the secret itself: `token_count`,
// `tokens_used` (LLM usage), `tokens_remaining` (rate-limit buckets), `password_length`,
// `token_type`, `jwt_expires_at`, `dsn_configured`. A key that starts with a count word is too:
// `max_tokens`, `num_tokens`. Values of such keys still pass through the text redactor.
const ABOUT_WORDS = new Set([
  'count', 'counts', 'used', 'total', 'remaining', 'left', 'limit', 'limits', 'max', 'min', 'rate',
  'ttl', 'expiry', 'expires', 'expired', 'expiration', 'length', 'size', 'type', 'age', 'at',
  'enabled', 'configured', 'present', 'valid'
])
const COUNT_PREFIXES = new Set(['max', 'min', 'num', 'total'])

/** A key split into lowercase words at camelCase humps, digits and any non-alphanumeric character. */
export function keyWords (key: string): string[] {
  return key
    .replace(/(?<=[a-z0-9])(?=[A-Z])/g, ' ') // dbPass -> db Pass
    .replace(/(?<=[A-Z])(?=[A-Z][a-z])/g, ' ') // APIKey -> API Key
    .replace(/(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])/g, ' ') // password2 -> password 2
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
}

// The same few keys come back in every report (each check's details): their answer is kept.
// Bounded, and emptied when full, so a body of ever-new keys cannot grow it.
const known = new Map<string, boolean>()
const MAX_KNOWN = 2048

/** True when a key names a secret: its value must not be shown, whatever it is. */
export function isSecretKey (key: string): boolean {
  let answer = known.get(key)
  if (answer === undefined) {
    answer = readKey(key)
    if (known.size >= MAX_KNOWN) known.clear()
    if (key.length <= 100) known.set(key, answer)
  }
  return answer
}

function readKey (key: string): boolean {
  const words = keyWords(key)
  if (words.length === 0) return false
  if (words.length > 1 && (ABOUT_WORDS.has(words[words.length - 1]) || COUNT_PREFIXES.has(words[0]))) return false
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    if (SECRET_WORDS.has(w)) return true
    if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${w}`)) return true
    if (SECRET_STEMS.some((stem) => w.includes(stem))) return true
    if (SECRET_ENDINGS.some((end) => w.length > end.length && w.endsWith(end))) return true
  }
  return false
}
