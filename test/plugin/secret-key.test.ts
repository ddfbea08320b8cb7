// Issue 8.6: the key filter of health bodies (and of every free-form map in the report) reads keys
// as words. Real key names from the frameworks and drivers whose health answers the sidecar reads.
import t from 'tap'
import { isSecretKey, keyWords } from '../../plugin/secret-key.js'

t.test('key names that hold secrets are recognised', async (t) => {
  const secrets = [
    // the names issue 8.6 found missed
    'pass', 'dbPass', 'db_pwd', 'passphrase', 'jwt', 'sessionId', 'accessKey', 'dsn', 'connectionString',
    // passwords, in every spelling
    'password', 'Password', 'PASSWORD', 'DB_PASSWORD', 'dbPassword', 'db-password', 'spring.datasource.password',
    'passwd', 'pwd', 'db_pw', 'redisPass', 'REDIS_PASS', 'admin.pass', 'keyPassphrase', 'passcode', 'password2', 'dbpassword',
    // tokens and keys
    'token', 'accessToken', 'access_token', 'refresh-token', 'idToken', 'csrftoken', 'X-Auth-Token', 'authToken', 'githubTokens',
    'apiKey', 'api_key', 'API_KEY', 'X-Api-Key', 'xapikey', 'APIKey', 'privateKey', 'private_key', 'signingKey', 'encryption_key',
    'aws_access_key_id', 'secretAccessKey', 'AWS_SECRET_ACCESS_KEY', 'masterKey', 'sshKey', 'clientKey',
    'secret', 'clientSecret', 'client_secret', 'webhookSecret', 'secrets',
    'jwtSecret', 'jwt_token', 'bearer', 'bearerToken',
    // sessions, cookies, headers
    'session_id', 'SESSIONID', 'sessionKey', 'cookie', 'Cookie', 'set-cookie', 'cookies', 'authorization', 'Authorization',
    'proxy-authorization', 'authorisation', 'basicAuth', 'basic_auth', 'authHeader',
    // credentials and connection strings
    'credentials', 'credential', 'creds', 'awsCredentials', 'sentry_dsn', 'SENTRY_DSN', 'databaseDsn',
    'connection_string', 'ConnectionStrings', 'connStr', 'conn_str', 'mongoConnectionString'
  ]
  for (const key of secrets) t.ok(isSecretKey(key), `${key} (${keyWords(key).join(' ')}) is a secret`)
})

t.test('key names that only look like secrets are kept', async (t) => {
  const kept: Array<[string, string]> = [
    ['status', 'the usual'],
    ['version', 'the usual'],
    ['passed', 'tests passed, a count'],
    ['tests_passed', 'a count'],
    ['passing', 'a state'],
    ['bypass', 'a cache bypass flag: contains "pass", is not one'],
    ['cacheBypass', 'the same, camelCase'],
    ['compass', 'contains "pass"'],
    ['passenger_count', 'contains "pass"'],
    ['surpassed', 'contains "pass"'],
    ['keyspace_hits', 'Redis INFO: "key" alone is not a secret'],
    ['keys', 'a count of keys'],
    ['key', 'a cache key name'],
    ['primary_key', 'a database concept'],
    ['publicKey', 'public'],
    ['tokens_used', 'LLM usage, a count'],
    ['max_tokens', 'a limit'],
    ['tokenCount', 'a count'],
    ['tokens_remaining', 'a rate-limit bucket'],
    ['token_type', '"Bearer", the kind, not the value'],
    ['tokenExpiresAt', 'a time'],
    ['password_length', 'a policy figure'],
    ['passwordMinLength', 'a policy figure'],
    ['jwt_expiry', 'a time'],
    ['dsn_configured', 'a flag'],
    ['tokenizer', 'a model component'],
    ['session', 'a word on its own'],
    ['sessions', 'a count'],
    ['active_sessions', 'a count'],
    ['connection', 'a word on its own'],
    ['connections', 'a count'],
    ['connection_count', 'a count'],
    ['author', 'not authorization'],
    ['authenticated', 'a flag'],
    ['auth_method', 'a kind'],
    ['database', 'the usual'],
    ['host', 'the usual'],
    ['username', 'a user name is not a credential on its own'],
    ['user', 'the same'],
    ['description', 'the usual'],
    ['error', 'the usual'],
    ['', 'empty']
  ]
  for (const [key, why] of kept) t.notOk(isSecretKey(key), `${key}: kept (${why})`)
})

t.test('keys are split into words at humps, digits and separators', async (t) => {
  const table: Array<[string, string[]]> = [
    ['dbPass', ['db', 'pass']],
    ['db_pwd', ['db', 'pwd']],
    ['X-Api-Key', ['x', 'api', 'key']],
    ['APIKey', ['api', 'key']],
    ['spring.datasource.password', ['spring', 'datasource', 'password']],
    ['password2', ['password', '2']],
    ['oauth2Token', ['oauth', '2', 'token']],
    ['db:responseTime', ['db', 'response', 'time']],
    ['__proto__', ['proto']]
  ]
  for (const [key, words] of table) t.same(keyWords(key), words, key)
})
