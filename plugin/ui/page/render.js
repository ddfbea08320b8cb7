// The status page, part 3 of 4: the report and the history put into the page's sections. Every
// render replaces a section's content whole: the page keeps no state but the last data.
/* global el, clear, fmtFigure, fmtTime, fmtSince, timeline, sparkline */
/* exported renderReport, renderHistory */

/** @param {string} id */
function byId (id) {
  const node = document.getElementById(id)
  if (!node) throw new Error(`the page has no #${id}`)
  return node
}

/** @param {string} status */
const badge = (status) => el('span', { class: `badge st-${status}`, 'data-status': status }, [status])
/** @param {string} text */
const empty = (text) => el('p', { class: 'empty' }, [text])

// The sections shown as figures, in reading order; `services` and `model_registry` have their own.
const FIGURE_SECTIONS = /** @type {const} */ (['performance', 'cache', 'infrastructure', 'metrics', 'websocket', 'ingestion', 'edge_engine'])

/**
 * Leaves of a section as [path, last key, value]; arrays are values (load_avg), not branches.
 * @param {Record<string, unknown>} obj
 * @param {string} prefix
 * @returns {Array<[string, string, unknown]>}
 */
function leaves (obj, prefix) {
  /** @type {Array<[string, string, unknown]>} */
  const out = []
  for (const [k, v] of Object.entries(obj)) {
    const path = `${prefix}.${k}`
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...leaves(/** @type {Record<string, unknown>} */ (v), path))
    else out.push([path, k, v])
  }
  return out
}

/** @param {ReliabilityReport} report */
function renderFigures (report) {
  const unfilled = new Map(report.setup.unconfigured.map((u) => [u.path, u.reason]))
  const cards = FIGURE_SECTIONS.map((name) => {
    const title = el('h3', {}, [name.replace('_', ' ')])
    const whole = unfilled.get(name)
    // A section no source fills is one line, not a column of dashes.
    if (whole !== undefined) return el('div', { class: 'card unfilled', 'data-section': name }, [title, el('p', { title: whole }, ['not configured'])])
    const rows = leaves(/** @type {Record<string, unknown>} */ (report[name]), name).map(([path, key, value]) => {
      const reason = unfilled.get(path)
      const label = path.slice(name.length + 1).replace('request_latency_ms.', 'latency ').replace(/[._]/g, ' ')
      // The percentiles of request_latency_ms are in ms too; its count is not.
      const unit = path.includes('_ms.') && key !== 'count' ? `${key}_ms` : key
      const shown = reason !== undefined && value === null ? el('span', { class: 'unfilled', title: reason }, ['n/a']) : fmtFigure(unit, value)
      return [el('dt', {}, [label]), el('dd', { 'data-path': path }, [shown])]
    })
    return el('div', { class: 'card', 'data-section': name }, [title, el('dl', {}, rows.flat())])
  })
  const registry = report.model_registry
  cards.push(el('div', { class: 'card', 'data-section': 'model_registry' }, [
    el('h3', {}, ['model registry']),
    registry.models.length === 0
      ? empty('no models')
      : el('dl', {}, registry.models.slice(0, 20).flatMap((m) => [el('dt', {}, [m.name]), el('dd', {}, [`${m.version} · ${m.status}`])]))
  ]))
  const node = byId('sections')
  clear(node)
  node.append(...cards)
}

/** @param {ReliabilityReport} report */
function renderFindings (report) {
  const diagnosis = byId('diagnosis')
  clear(diagnosis)
  if (report.diagnosis.length === 0) diagnosis.append(empty('No conclusion: nothing joins up, or the data for one is missing.'))
  for (const d of report.diagnosis) {
    diagnosis.append(el('li', { class: `sev-${d.severity}`, 'data-code': d.code }, [
      el('b', {}, [d.code]), ' ', el('span', { class: 'since' }, [fmtSince(d.since, report.timestamp)]),
      el('p', {}, [d.summary]),
      el('ul', { class: 'evidence' }, d.evidence.map((e) => el('li', {}, [
        el('code', {}, [e.path]), ` = ${fmtFigure(e.path.split('.').pop() ?? '', e.value)}`,
        e.threshold === undefined ? '' : ` (limit ${fmtFigure(e.path.split('.').pop() ?? '', e.threshold)})`
      ])))
    ]))
  }
  const anomalies = byId('anomalies')
  clear(anomalies)
  if (report.anomalies.length === 0) anomalies.append(empty('None firing.'))
  for (const a of report.anomalies) {
    anomalies.append(el('li', { class: `sev-${a.severity}`, 'data-code': a.code }, [
      el('b', {}, [a.code]), ' ', el('span', { class: 'since' }, [fmtSince(a.since, report.timestamp)]),
      el('p', {}, [a.message])
    ]))
  }
}

/** @param {ReliabilityReport} report */
function renderServices (report) {
  const node = byId('services')
  clear(node)
  if (report.services.length === 0) { node.append(empty('No services checked.')); return }
  // The error under the name, not in a column of its own: a long one must not squeeze a phone's
  // table into one letter per line (and a word too long to wrap scrolls inside its box).
  node.append(el('div', { class: 'scroll' }, [el('table', {}, [
    el('thead', {}, [el('tr', {}, ['service', 'status', 'latency'].map((h) => el('th', {}, [h])))]),
    el('tbody', {}, report.services.map((s) => el('tr', { 'data-service': s.name }, [
      el('td', {}, [
        s.name, s.critical ? el('small', {}, [' critical']) : null,
        s.error ? el('div', { class: 'error' }, [s.error]) : null
      ]),
      el('td', {}, [badge(s.status)]),
      el('td', {}, [fmtFigure('latency_ms', s.latency_ms)])
    ])))
  ])]))
}

/** @param {ReliabilityReport} report */
function renderSetup (report) {
  const sources = byId('sources')
  clear(sources)
  for (const [name, s] of Object.entries(report.sources)) {
    sources.append(el('li', { 'data-source': name }, [
      el('b', {}, [name]), ' ', el('span', { class: `src-${s.status}` }, [s.status]),
      s.age_ms ? ` · ${fmtFigure('age_ms', s.age_ms)} old` : '',
      s.error ? el('span', { class: 'error' }, [` · ${s.error}`]) : null
    ]))
  }
  const { detected, unconfigured, idle_rules: idle } = report.setup
  const setup = byId('setup')
  clear(setup)
  setup.append(
    el('p', {}, Object.entries(detected).map(([k, v]) => el('span', { class: 'chip' }, [`${k}: ${v ?? 'not found'}`]))),
    unconfigured.length === 0
      ? empty('Every section is filled.')
      : el('details', {}, [
        el('summary', {}, [`${unconfigured.length} not filled`]),
        el('ul', {}, unconfigured.map((u) => el('li', {}, [el('code', {}, [u.path]), ` ${u.reason}`])))
      ]),
    // Rules whose every input is unconfigured: they can neither fire nor clear.
    el('p', { hidden: idle.length === 0 }, [`Idle rules: ${idle.join(', ')}`])
  )
  const notes = byId('notes')
  clear(notes)
  for (const n of report.notes) notes.append(el('li', {}, [n]))
  if (report.notes.length === 0) notes.append(el('li', { class: 'empty' }, ['none']))
}

/**
 * @param {ReliabilityReport} report
 * @param {number} refreshMs
 */
function renderReport (report, refreshMs) {
  const overall = byId('overall')
  overall.textContent = report.overall_status
  overall.className = `badge st-${report.overall_status}`
  overall.setAttribute('data-status', report.overall_status)
  document.title = `${report.overall_status} · reliability`
  byId('meta').textContent = `report ${fmtTime(report.timestamp)} · built in ${fmtFigure('_ms', report.generation_time_ms)} · refreshed every ${refreshMs / 1000} s`
  renderFindings(report)
  renderServices(report)
  renderFigures(report)
  renderSetup(report)
}

// What the charts show (SPEC §9); each path is a column of the history (plugin/history/figure-paths.ts).
/** @type {Array<ChartSpec & { path: string }>} */
const CHARTS = [
  { name: 'p95', path: 'performance.request_latency_ms.p95', title: 'p95 latency', format: (v) => fmtFigure('_ms', v), floor: 1 },
  { name: 'cpu', path: 'performance.cpu_percent', title: 'CPU', format: (v) => fmtFigure('_percent', v), floor: 100 },
  { name: 'error_rate', path: 'performance.error_rate', title: 'error rate', format: (v) => fmtFigure('error_rate', v), floor: 0.01 },
  { name: 'hit_rate', path: 'cache.hit_rate', title: 'cache hit rate', format: (v) => fmtFigure('hit_rate', v), floor: 1 }
]

/** @param {HistoryResponse} history */
function renderHistory (history) {
  const { points } = history
  const tl = byId('timeline')
  clear(tl)
  tl.append(points.timestamp.length === 0 ? empty('No report yet.') : timeline(points))
  const charts = byId('charts')
  clear(charts)
  charts.append(...CHARTS.map((c) => sparkline(c, points.timestamp, points.figures[c.path] ?? points.timestamp.map(() => null))))
  const list = byId('transitions')
  clear(list)
  const newest = history.transitions.slice(-50).reverse()
  if (newest.length === 0) list.append(el('li', { class: 'empty' }, ['none yet']))
  for (const x of newest) {
    list.append(el('li', { 'data-kind': x.kind, 'data-subject': x.subject, 'data-to': x.to }, [
      el('time', {}, [fmtTime(x.at)]), ' ', el('span', { class: 'kind' }, [x.kind]), ' ', el('b', {}, [x.subject]), ' ',
      `${x.from ?? '—'} → ${x.to}`, x.detail ? el('span', { class: 'detail' }, [` ${x.detail}`]) : null
    ]))
  }
  if (history.transitions.length > newest.length) list.append(el('li', { class: 'empty' }, [`${history.transitions.length - newest.length} older not shown`]))
}
