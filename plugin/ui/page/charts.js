// The status page, part 2 of 4: the status timeline and the small charts, as inline SVG drawn from
// the history's columns. A figure the report did not have (null) and a stretch with no report at
// all (the server was down, or not yet started) are drawn as gaps: a zero would be a claim.
/* global el, svgEl, fmtTime */
/* exported timeline, sparkline */

/**
 * The x axis every drawing of one history shares, so the charts line up under the timeline: from
 * the first report to one usual step past the last. The usual step is the 90th percentile of the
 * times between two reports: reports come at a steady pace (the sidecar's polls, or the page's own
 * reads) plus extra ones a reader asked for in between, which make the median too short a step.
 * @param {number[]} times epoch ms, ascending
 * @returns {{ start: number, end: number, step: number }}
 */
function timeDomain (times) {
  const steps = []
  for (let i = 1; i < times.length; i++) steps.push(times[i] - times[i - 1])
  steps.sort((a, b) => a - b)
  const step = steps.length > 0 ? Math.max(1, steps[Math.floor((steps.length - 1) * 0.9)]) : 1000
  const start = times.length > 0 ? times[0] : 0
  const end = times.length > 0 ? times[times.length - 1] + step : 1
  return { start, end, step }
}

/**
 * Two neighbouring reports further apart than this many usual steps have a hole between them: no
 * report was made, so nothing is known of that stretch. Three, as the sidecar serves a poll's data
 * for three intervals before calling it stale: a round skipped on a busy machine is not a hole.
 */
const GAP_STEPS = 3

/**
 * Runs of one status, each a rectangle: a 720-point hour is a handful of elements, not 720.
 * @param {HistoryResponse['points']} points
 * @returns {Element}
 */
function timeline (points) {
  const times = points.timestamp
  const d = timeDomain(times)
  const W = 1000
  const x = (/** @type {number} */ t) => ((t - d.start) / (d.end - d.start)) * W
  const svg = svgEl('svg', { viewBox: `0 0 ${W} 10`, preserveAspectRatio: 'none', class: 'timeline', role: 'img' })
  let runs = 0
  let i = 0
  while (i < times.length) {
    const status = points.status[i]
    let j = i
    // Extend the run while the status holds and no hole opens before the next report.
    while (j + 1 < times.length && points.status[j + 1] === status && times[j + 1] - times[j] <= GAP_STEPS * d.step) j++
    const next = j + 1 < times.length ? times[j + 1] : d.end
    // Up to the next report, or one usual step when a hole follows.
    const stop = next - times[j] <= GAP_STEPS * d.step ? next : times[j] + d.step
    svg.append(svgEl('rect', { x: x(times[i]), y: 0, width: Math.max(0.5, x(stop) - x(times[i])), height: 10, class: `st-${status}`, 'data-status': status }))
    runs++
    i = j + 1
  }
  svg.setAttribute('data-runs', String(runs))
  svg.setAttribute('aria-label', `status over ${times.length} reports`)
  const scale = el('div', { class: 'scale' }, [
    el('span', {}, [times.length > 0 ? fmtTime(times[0]) : '']),
    el('span', {}, [times.length > 0 ? fmtTime(times[times.length - 1]) : ''])
  ])
  return el('div', {}, [svg, scale])
}

/**
 * @typedef {object} ChartSpec
 * @property {string} name stable id, e.g. `p95` (the tests find charts by it)
 * @property {string} title
 * @property {(v: number) => string} format
 * @property {number} floor the y axis reaches at least this (a flat 1 ms line is not a spike)
 */

/**
 * One figure over the history window: a line broken wherever the figure was null or no report was
 * made, an isolated point drawn as a dot, the latest value and the highest in the caption.
 * @param {ChartSpec} spec
 * @param {number[]} times
 * @param {Array<number | null>} values
 * @returns {Element}
 */
function sparkline (spec, times, values) {
  const W = 300
  const H = 60
  const PAD = 3
  const d = timeDomain(times)
  /** @type {number[]} */
  const present = values.filter((v) => typeof v === 'number')
  // Headroom above the highest value, so a flat line is not lost against the top edge.
  const max = Math.max(spec.floor, ...present) * 1.15
  const x = (/** @type {number} */ t) => ((t - d.start) / (d.end - d.start)) * W
  const y = (/** @type {number} */ v) => H - PAD - (v / max) * (H - 2 * PAD)
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' })
  svg.append(svgEl('line', { x1: 0, x2: W, y1: y(0), y2: y(0), class: 'axis' }))
  /** @type {Array<Array<[number, number]>>} */
  const runs = []
  /** @type {Array<[number, number]> | undefined} */
  let run
  for (let i = 0; i < times.length; i++) {
    const v = values[i]
    const hole = i > 0 && times[i] - times[i - 1] > GAP_STEPS * d.step
    if (typeof v !== 'number' || hole) run = undefined
    if (typeof v !== 'number') continue
    if (!run) runs.push(run = [])
    run.push([x(times[i]), y(v)])
  }
  let line = ''
  let area = ''
  for (const r of runs) {
    if (r.length === 1) { svg.append(svgEl('circle', { cx: r[0][0], cy: r[0][1], r: 2, class: 'dot' })); continue }
    const stroke = r.map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${px.toFixed(1)} ${py.toFixed(1)}`).join('')
    line += stroke
    // The same run closed down to the axis: a shade under the line, with the same gaps.
    area += `${stroke}L${r[r.length - 1][0].toFixed(1)} ${y(0)}L${r[0][0].toFixed(1)} ${y(0)}Z`
  }
  if (line !== '') svg.append(svgEl('path', { d: area, class: 'area' }), svgEl('path', { d: line, class: 'line' }))
  svg.setAttribute('data-runs', String(runs.length))
  svg.setAttribute('data-points', String(present.length))
  svg.setAttribute('aria-label', `${spec.title}: ${present.length} values`)
  // The newest report's value, not the last known one: a figure that just vanished says so.
  const last = values.length > 0 ? values[values.length - 1] : null
  const caption = el('figcaption', {}, [
    el('span', { class: 'name' }, [spec.title]),
    el('b', { class: 'now' }, [typeof last === 'number' ? spec.format(last) : 'no data']),
    el('span', { class: 'max' }, [present.length > 0 ? `max ${spec.format(Math.max(...present))}` : ''])
  ])
  return el('figure', { class: 'chart', 'data-chart': spec.name }, [caption, svg])
}
