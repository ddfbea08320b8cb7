// A pino logger that keeps every line as a parsed object, so a test compares the real log events
// (pino's own test style) and can grep them for planted secrets, rather than mocking the logger.
import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'

export interface CapturedLog {
  log: Logger
  lines: Array<Record<string, unknown>>
}

export function captureLog (level = 'debug'): CapturedLog {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      callback()
    }
  })
  return { log: pino({ level }, stream), lines }
}
