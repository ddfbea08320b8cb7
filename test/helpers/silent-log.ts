// A logger for unit tests that says nothing; capture-log.ts keeps the lines when a test reads them.
import { pino, type Logger } from 'pino'

export function silentLog (): Logger {
  return pino({ level: 'silent' })
}
