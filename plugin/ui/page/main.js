// The status page, part 4 of 4: fetch the report and the history, render them, again every few
// seconds; the token flow; what a failure looks like. The token lives in this tab's sessionStorage
// and travels only in an Authorization header: never in a URL, where logs, history and referrers
// would keep it (SPEC §9).
/* global renderReport, renderHistory */

// The page is served at <path>/ui: the report is <path>, its history <path>/history. Read from the
// page's own address, so a proxy that mounts the service under a prefix keeps working.
const base = window.location.pathname.replace(/\/ui\/?$/, '')
const REPORT_URL = base
const HISTORY_URL = `${base}/history`
const TOKEN_KEY = `fastify-reliability token ${base}`
// ?refresh=<seconds> (1..300, default 5): how often to read the report. The report itself is cached
// by the server (cacheTtlMs), so polling faster than that only reads the same report again.
const refreshS = Number(new URLSearchParams(window.location.search).get('refresh') ?? 5)
const REFRESH_MS = Number.isFinite(refreshS) ? Math.min(300, Math.max(1, refreshS)) * 1000 : 5000
// A hung server must show as a failure, not as a page that silently stopped moving.
const FETCH_TIMEOUT_MS = 10_000

/** @type {{ report: ReliabilityReport, at: number } | undefined} the last data shown, kept when a read fails */
let shown
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer

/** @param {string} id */
const node = (id) => /** @type {HTMLElement} */ (document.getElementById(id))

function token () {
  try { return sessionStorage.getItem(TOKEN_KEY) } catch { return null }
}

/**
 * @param {'live' | 'stale' | 'locked' | 'loading'} state
 * @param {string} [message]
 * @param {boolean} [ask] show the token form (always when locked)
 */
function show (state, message, ask = state === 'locked') {
  document.body.setAttribute('data-state', state)
  const box = node('message')
  box.hidden = message === undefined
  box.textContent = message ?? ''
  if (state === 'stale' && shown) box.textContent += ` Showing the report of ${new Date(shown.at).toLocaleTimeString('en-GB', { hour12: false })}, not current.`
  node('token-form').hidden = !ask
  node('token-forget').hidden = token() === null
}

/**
 * One GET of this origin's JSON with the token, if any, as a bearer header.
 * @param {string} url
 * @returns {Promise<{ status: number, body: unknown }>}
 */
async function getJson (url) {
  const t = token()
  const res = await fetch(url, {
    headers: t === null ? { accept: 'application/json' } : { accept: 'application/json', authorization: `Bearer ${t}` },
    cache: 'no-store',
    credentials: 'same-origin',
    // A redirect would resend the request somewhere the page never chose.
    redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
  })
  const body = await res.json().catch(() => undefined)
  return { status: res.status, body }
}

/** @param {unknown} body @returns {body is ReliabilityReport} */
const isReport = (body) => typeof body === 'object' && body !== null && 'overall_status' in body && 'timestamp' in body

async function refresh () {
  clearTimeout(timer)
  let report
  let history
  try {
    [report, history] = await Promise.all([getJson(REPORT_URL), getJson(HISTORY_URL)])
  } catch (err) {
    show(shown ? 'stale' : 'loading', `Cannot reach the server (${err instanceof Error ? err.name : 'error'}). Retrying every ${REFRESH_MS / 1000} s.`)
    timer = setTimeout(refresh, REFRESH_MS)
    return
  }
  const status = report.status === 200 ? history.status : report.status
  if (report.status === 401 || history.status === 401) {
    // A refused token is worth nothing kept: ask again, and stop asking the server until answered.
    const had = token() !== null
    try { sessionStorage.removeItem(TOKEN_KEY) } catch {}
    show('locked', had ? 'The token was refused (401). Enter the right one.' : 'This report needs a token (401). Enter it below; it is kept in this tab only.')
    node('token-input').focus()
    return
  }
  if (status === 403) {
    // `authorize` may read a bearer token too: offer the form, without insisting.
    show(shown ? 'stale' : 'loading', 'Access denied (403): this client may not read the report.', true)
  } else if (isReport(report.body) && history.status === 200) {
    // A 500 still carries a report (status down, a note saying why): it is shown like any other.
    shown = { report: report.body, at: Date.now() }
    renderReport(report.body, REFRESH_MS)
    renderHistory(/** @type {HistoryResponse} */ (history.body))
    show('live')
  } else {
    show(shown ? 'stale' : 'loading', `The server answered ${status} without a report.`)
  }
  timer = setTimeout(refresh, REFRESH_MS)
}

node('token-form').addEventListener('submit', (event) => {
  // Never submitted: a GET form would put the token in the URL (and the CSP's form-action forbids it).
  event.preventDefault()
  const input = /** @type {HTMLInputElement} */ (node('token-input'))
  const value = input.value.trim()
  input.value = ''
  if (value === '') return
  try { sessionStorage.setItem(TOKEN_KEY, value) } catch {}
  show('loading', 'Reading the report…')
  refresh()
})
node('token-forget').addEventListener('click', () => {
  try { sessionStorage.removeItem(TOKEN_KEY) } catch {}
  refresh()
})

refresh()
