// What the status page shows, read in one go inside the page: the page re-renders every second,
// so a test that read it piece by piece could mix two reports. A test waits for a snapshot that
// satisfies it (the DOM's state, never a length of time) and asserts on that very snapshot.
import type { Page } from 'playwright-core'
import { waitFor } from '../helpers/wait-for.js'

export interface Snapshot {
  /** body[data-state]: loading, live, stale or locked. */
  state: string | null
  overall: string | null
  /** The message line's text, null while it is hidden. */
  message: string | null
  tokenFormShown: boolean
  /** The timeline's runs of one status, oldest first. */
  runs: string[]
  charts: Record<string, { points: number, runs: number, lines: number, dots: number, now: string }>
  services: Record<string, { status: string | null, error: string }>
  transitions: Array<{ kind: string | null, subject: string | null, to: string | null }>
  sources: Record<string, string>
  scrollWidth: number
  innerWidth: number
}

// The browser's globals, as far as the function below uses them (this file is typed for Node).
interface El {
  getAttribute (name: string): string | null
  querySelector (s: string): El | null
  querySelectorAll (s: string): ArrayLike<El>
  textContent: string | null
  hidden: boolean
}
interface Browser { document: El & { body: El, documentElement: { scrollWidth: number } }, innerWidth: number }

/** Runs in the page: Playwright sends its source, so it may use nothing from this module. */
function read (): Snapshot {
  const { document, innerWidth } = globalThis as unknown as Browser
  const all = (s: string, root: El = document) => Array.from(root.querySelectorAll(s))
  const text = (e: El | null) => (e?.textContent ?? '').trim()
  const message = document.querySelector('#message')
  return {
    state: document.body.getAttribute('data-state'),
    overall: document.querySelector('#overall')?.getAttribute('data-status') ?? null,
    message: message === null || message.hidden ? null : text(message),
    tokenFormShown: document.querySelector('#token-form')?.hidden === false,
    runs: all('#timeline rect').map((r) => r.getAttribute('data-status') ?? ''),
    charts: Object.fromEntries(all('[data-chart]').map((f) => {
      const svg = f.querySelector('svg')
      return [f.getAttribute('data-chart'), {
        points: Number(svg?.getAttribute('data-points')),
        runs: Number(svg?.getAttribute('data-runs')),
        lines: all('path.line', f).length,
        dots: all('circle.dot', f).length,
        now: text(f.querySelector('.now'))
      }]
    })),
    services: Object.fromEntries(all('#services [data-service]').map((row) => [row.getAttribute('data-service'), {
      status: row.querySelector('[data-status]')?.getAttribute('data-status') ?? null,
      error: text(row.querySelector('.error'))
    }])),
    transitions: all('#transitions li[data-kind]').map((li) => ({
      kind: li.getAttribute('data-kind'), subject: li.getAttribute('data-subject'), to: li.getAttribute('data-to')
    })),
    sources: Object.fromEntries(all('#sources [data-source]').map((li) => [li.getAttribute('data-source'), text(li)])),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth
  }
}

export function snapshot (page: Page): Promise<Snapshot> {
  return page.evaluate(read)
}

/**
 * The first snapshot for which `ok` holds, polled from here: Playwright's own waitForFunction
 * evals its predicate inside the page, which the page's CSP (rightly) refuses. `timeoutMs` bounds a
 * wait that never ends; it paces nothing.
 */
export async function waitForSnapshot (page: Page, what: string, ok: (s: Snapshot) => boolean, timeoutMs = 60_000): Promise<Snapshot> {
  let last: Snapshot | undefined
  await waitFor(what, async () => ok(last = await snapshot(page)), timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; the page showed ${JSON.stringify(last)}`)
  })
  return last!
}
