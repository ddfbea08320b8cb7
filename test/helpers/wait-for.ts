// Waiting for a condition, for every test: the suite asserts what happened and in what order, never
// how soon (issue 10: it must pass with both cores busy elsewhere).

/**
 * How long a wait may take before it is called a hang: not a measurement. On a two-core machine with
 * both cores busy elsewhere, a Node.js start that loads Fastify alone can take tens of seconds. Below
 * tap's per-file timeout, so a hang fails here with a message naming what it waited for.
 */
export const HANG_GUARD_MS = 60_000

/**
 * Calls `check` every `everyMs` until it returns something other than undefined or false, and
 * resolves with that. A check that throws is tried again (a server not listening yet, a report not
 * ready); its last error is in the hang message. `timeoutMs` is a hang guard, raised to at least
 * HANG_GUARD_MS: callers wait for a condition, never assert how soon it came.
 */
export async function waitFor<T> (
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = HANG_GUARD_MS,
  everyMs = 20
): Promise<Exclude<T, undefined | false>> {
  const guardMs = Math.max(timeoutMs, HANG_GUARD_MS)
  const deadline = Date.now() + guardMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined && v !== false) return v as Exclude<T, undefined | false>
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(`hang: ${what} did not happen in ${guardMs} ms${last === undefined ? '' : `: ${String(last)}`}`)
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
