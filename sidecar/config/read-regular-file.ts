import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'

/** The largest `--config` file read, in bytes (1 MiB): a settings file is a few kilobytes. */
export const MAX_CONFIG_FILE_BYTES = 1_048_576

/**
 * Reads a regular file as UTF-8, refusing anything else and anything over `maxBytes` (issue 8):
 * a FIFO would block the start until some writer came, `/dev/zero` would be read without end.
 * Refusals reject with `code` `ENOTREG` (not a regular file) or `EFBIG` (over the cap) and a
 * message without the path or any content; other failures are the file system's (`ENOENT`, …).
 */
export async function readRegularFile (path: string, maxBytes: number): Promise<string> {
  // stat, not open: opening a FIFO waits for a writer inside a libuv thread that nothing can cancel.
  const before = await stat(path)
  if (!before.isFile()) throw refusal('ENOTREG', 'not a regular file')
  if (before.size > maxBytes) throw refusal('EFBIG', `larger than ${maxBytes} bytes`)
  // Should the path be swapped for a FIFO after the stat, O_NONBLOCK makes open return at once,
  // and the fstat below refuses what was opened. (O_NONBLOCK does nothing to a regular file.)
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    if (!(await handle.stat()).isFile()) throw refusal('ENOTREG', 'not a regular file')
    // Counted while reading: a file may grow after the stat, and /proc files say 0 and then give more.
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > maxBytes) throw refusal('EFBIG', `larger than ${maxBytes} bytes`)
    return buffer.toString('utf8', 0, length)
  } finally {
    await handle.close()
  }
}

function refusal (code: 'ENOTREG' | 'EFBIG', message: string): Error {
  return Object.assign(new Error(message), { code })
}
