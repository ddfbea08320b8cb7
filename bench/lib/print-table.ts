// The human form of a run: one line per row, figures to three significant digits.
import type { FigureSet, Row } from './figure.js'

export function fmt (v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a >= 1000) return Math.round(v).toLocaleString('en-US')
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1)
  if (a >= 1) return v.toFixed(2)
  return v.toFixed(3)
}

function figure (r: Row): string {
  const ratio = r.ratio === null ? '' : `${fmt(r.ratio)}×`
  if (r.judged === 'p99') return `p99 ${fmt(r.p99)} ${r.unit}${ratio === '' ? '' : ` (${ratio})`}`
  return ratio
}

export function printTable (sets: readonly FigureSet[]): string {
  const header = ['id', 'what', 'variant', 'min / median / max', 'ratio (median)', 'target', 'result']
  const lines: string[][] = [header]
  for (const set of sets) {
    for (const r of set.rows) {
      lines.push([
        set.id,
        r.what,
        r.variant,
        `${fmt(r.min)} / ${fmt(r.median)} / ${fmt(r.max)} ${r.unit}`,
        figure(r),
        r.target,
        r.pass === null ? '' : r.pass ? 'pass' : 'MISS'
      ])
    }
  }
  const widths = header.map((_h, i) => Math.max(...lines.map((l) => l[i].length)))
  const out = lines.map((l) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`)
  out.splice(1, 0, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  const notes = sets.flatMap((s) => s.rows.filter((r) => r.note !== undefined).map((r) => `  ${s.id} ${r.what}, ${r.variant}: ${r.note}`))
  const facts = sets.map((s) => `  ${s.id} ${JSON.stringify(s.facts, (_k, v: unknown) => typeof v === 'number' ? Number(v.toPrecision(4)) : v)}`)
  return out.join('\n') + (notes.length > 0 ? `\n\nNotes:\n${notes.join('\n')}` : '') + `\n\nFacts:\n${facts.join('\n')}\n`
}
