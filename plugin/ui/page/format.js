// The status page, part 1 of 4 (see PAGE_SCRIPTS in ../status-page.ts): types, DOM helpers and
// how a figure reads. Plain browser JavaScript, typed by JSDoc against the report's own schemas
// (tsconfig.ui.json checks it): the page is served as written, no bundler between.
/* exported el, svgEl, clear, fmtFigure, fmtTime, fmtSince */

/** @typedef {import('../../../schemas/report.js').ReliabilityReport} ReliabilityReport */
/** @typedef {import('../../../schemas/history.js').HistoryResponse} HistoryResponse */
/** @typedef {import('../../../schemas/history.js').Transition} Transition */

/**
 * An element with attributes and children; text goes in as text, never as markup (a report's
 * strings come from the watched app and its dependencies).
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined>} [attrs]
 * @param {Array<Node | string | null | undefined>} [children]
 * @returns {HTMLElement}
 */
function el (tag, attrs = {}, children = []) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    node.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c)
  return node
}

/**
 * An SVG element: presentation by class and attributes, never a `style` attribute (the CSP has no
 * 'unsafe-inline' for styles).
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svgEl (tag, attrs = {}) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  return node
}

/** @param {Element} node */
function clear (node) {
  while (node.firstChild) node.firstChild.remove()
}

// Figures the report gives as a share, 0..1 (schemas/report.ts), shown as percents.
const RATE_KEYS = new Set(['error_rate', 'hit_rate', 'event_loop_utilization'])

/** @param {number} v @param {number} [digits] */
function round (v, digits = 2) {
  if (Number.isInteger(v)) return v.toLocaleString('en-US')
  const abs = Math.abs(v)
  return v.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 0 : abs >= 10 ? 1 : digits })
}

/** @param {number} bytes */
function fmtBytes (bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = bytes
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${round(v, 1)} ${units[i]}`
}

/** @param {number} seconds */
function fmtDuration (seconds) {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
}

/**
 * A time of day, with the date when it is not today.
 * @param {string | number} at ISO-8601 or epoch ms
 */
function fmtTime (at) {
  const d = new Date(at)
  if (Number.isNaN(d.getTime())) return String(at)
  const time = d.toLocaleTimeString('en-GB', { hour12: false })
  return d.toDateString() === new Date().toDateString() ? time : `${d.toISOString().slice(0, 10)} ${time}`
}

/**
 * "since 12:03:04 (5 min)": when something started, and for how long it has held, by the report's
 * own clock (the browser's may be off from the server's).
 * @param {string} since ISO-8601
 * @param {string} reportTime ISO-8601
 */
function fmtSince (since, reportTime) {
  const held = (Date.parse(reportTime) - Date.parse(since)) / 1000
  return Number.isFinite(held) ? `since ${fmtTime(since)} (${fmtDuration(held)})` : `since ${since}`
}

/**
 * How one figure of a section reads, by its key's unit suffix (the report's naming convention).
 * @param {string} key the last part of the path, e.g. `rss_bytes`
 * @param {unknown} value
 * @returns {string}
 */
function fmtFigure (key, value) {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'number') {
    if (RATE_KEYS.has(key)) return `${round(value * 100)} %`
    if (key.endsWith('_bytes')) return fmtBytes(value)
    if (key.endsWith('_ms')) return `${round(value)} ms`
    if (key.endsWith('_percent')) return `${round(value)} %`
    if (key === 'uptime_s') return fmtDuration(value)
    return round(value)
  }
  if (typeof value === 'string') return key.endsWith('_ts') ? fmtTime(value) : value
  if (Array.isArray(value)) return value.map((v) => fmtFigure('', v)).join(' · ')
  return String(value)
}
