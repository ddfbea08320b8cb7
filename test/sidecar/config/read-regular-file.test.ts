// The --config file is read only when it is a regular file, and never past a size cap (issue 8,
// item 5): a FIFO used to block the start (and --check-config) forever, and /dev/zero was read
// until ~600 MB. Each refusal comes before any read, so none of these tests can hang.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../../sidecar/config/load-config.js'
import { MAX_CONFIG_FILE_BYTES, readRegularFile } from '../../../sidecar/config/read-regular-file.js'

async function refusal (argv: string[]): Promise<Error & { code?: string }> {
  const err = await loadConfig({ argv, env: {} }).then(() => undefined, (e: unknown) => e as Error & { code?: string })
  if (err === undefined) throw new Error('expected the configuration to be refused')
  return err
}

t.test('a FIFO is refused as not a regular file, without waiting for a writer', async (t) => {
  const fifo = join(t.testdir(), 'c.json')
  execFileSync('mkfifo', [fifo])
  for (const argv of [['--config', fifo], ['--config', fifo, '--check-config']]) {
    const err = await refusal(argv)
    t.equal(err.code, 'RELIABILITY_ERR_INVALID_CONFIG', argv.join(' '))
    t.match(err.message, /^invalid setting "config \(--config\)": config file ".*c\.json" is not a regular file$/)
  }
})

t.test('a FIFO named by RELIABILITY_CONFIG is refused too', async (t) => {
  const fifo = join(t.testdir(), 'c.json')
  execFileSync('mkfifo', [fifo])
  const err = await loadConfig({ argv: [], env: { RELIABILITY_CONFIG: fifo } }).then(() => undefined, (e: unknown) => e as { code?: string })
  t.equal(err?.code, 'RELIABILITY_ERR_INVALID_CONFIG')
})

t.test('/dev/zero (a character device) is refused before a byte is read', { skip: existsSync('/dev/zero') ? false : 'no /dev/zero' }, async (t) => {
  const err = await refusal(['--config', '/dev/zero'])
  t.equal(err.code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(err.message, /config file "\/dev\/zero" is not a regular file/)
})

t.test('a directory is not a regular file', async (t) => {
  const err = await refusal(['--config', t.testdir({})])
  t.equal(err.code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(err.message, /is not a regular file/)
})

t.test('a regular file over the cap is refused, one at the cap is read', async (t) => {
  const padded = (size: number) => {
    const head = '{"port": 9100}'
    return head + ' '.repeat(size - head.length)
  }
  const dir = t.testdir({ 'big.json': padded(MAX_CONFIG_FILE_BYTES + 1), 'full.json': padded(MAX_CONFIG_FILE_BYTES) })
  const err = await refusal(['--config', join(dir, 'big.json')])
  t.equal(err.code, 'RELIABILITY_ERR_INVALID_CONFIG')
  t.match(err.message, new RegExp(`config file ".*big\\.json" is larger than ${MAX_CONFIG_FILE_BYTES} bytes$`))
  const c = await loadConfig({ argv: ['--config', join(dir, 'full.json')], env: {} })
  t.equal(c.port, 9100)
  t.equal(MAX_CONFIG_FILE_BYTES, 1_048_576, '1 MiB')
})

t.test('readRegularFile: refusals carry a code, never the content', async (t) => {
  const dir = t.testdir({ 'a.txt': 'secret-content-1234' })
  t.equal(await readRegularFile(join(dir, 'a.txt'), 100), 'secret-content-1234')
  const tooBig = await readRegularFile(join(dir, 'a.txt'), 5).catch((e: Error & { code?: string }) => e)
  t.equal((tooBig as { code?: string }).code, 'EFBIG')
  t.notMatch(String((tooBig as Error).message), 'secret')
  const fifo = join(dir, 'p')
  execFileSync('mkfifo', [fifo])
  const notFile = await readRegularFile(fifo, 100).catch((e: Error & { code?: string }) => e)
  t.equal((notFile as { code?: string }).code, 'ENOTREG')
  const missing = await readRegularFile(join(dir, 'none'), 100).catch((e: Error & { code?: string }) => e)
  t.equal((missing as { code?: string }).code, 'ENOENT')
})

// /proc files say their size is 0 and then give more: only a cap counted while reading stops them.
t.test('readRegularFile: the cap holds while reading, whatever the size said', { skip: existsSync('/proc/self/maps') ? false : 'no /proc' }, async (t) => {
  const text = await readRegularFile('/proc/self/maps', MAX_CONFIG_FILE_BYTES)
  t.ok(text.length > 64, 'the file is readable and longer than the cap below')
  const err = await readRegularFile('/proc/self/maps', 64).catch((e: Error & { code?: string }) => e)
  t.equal((err as { code?: string }).code, 'EFBIG')
})
