// `npm run bench [-- --quick] [-- --json] [-- --only B1,B6] [-- --cpu-prof]`: a program, not a
// test. Measures B1–B7 of issue 4 on this machine, each against a baseline run in the same run,
// and prints a table (or one JSON object). Progress goes to stderr.
import os from 'node:os'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runB1 } from './b1-host-overhead.js'
import { runB2 } from './b2-cached-report.js'
import { runB3 } from './b3-generation-overhead.js'
import { runB4 } from './b4-hung-source.js'
import { runB5 } from './b5-single-flight.js'
import { runB6 } from './b6-parse-exposition.js'
import { runB7 } from './b7-sidecar-polling.js'
import { runB8 } from './b8-history-diagnosis.js'
import { runB9 } from './b9-sidecar-memory.js'
import { runB10 } from './b10-status-page-size.js'
import { printTable, fmt } from './lib/print-table.js'
import type { BenchContext, FigureSet } from './lib/figure.js'

const benchmarks: Record<string, (ctx: BenchContext) => Promise<FigureSet>> = {
  B1: runB1, B2: runB2, B3: runB3, B4: runB4, B5: runB5, B6: runB6, B7: runB7, B8: runB8, B9: runB9, B10: runB10
}

function flagValue (args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(name + '='))
  if (i === -1) return undefined
  return args[i].includes('=') ? args[i].slice(name.length + 1) : args[i + 1]
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const json = args.includes('--json')
  const only = flagValue(args, '--only')?.split(',').map((s) => s.trim().toUpperCase())
  const unknown = (only ?? []).filter((id) => !(id in benchmarks))
  if (unknown.length > 0) throw new Error(`--only: unknown id(s) ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`)
  let cpuProfDir: string | undefined
  if (args.includes('--cpu-prof')) {
    cpuProfDir = fileURLToPath(new URL('./profiles/', import.meta.url))
    mkdirSync(cpuProfDir, { recursive: true })
  }
  const started = Date.now()
  const log = (line: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`)
  const ctx: BenchContext = { quick, log, cpuProfDir }

  const machine: Record<string, unknown> = {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAvgStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    mode: quick ? 'quick' : 'full',
    command: `npm run bench -- ${args.join(' ')}`.trim(),
    startedAt: new Date(started).toISOString()
  }
  log(`${machine.mode} run on ${String(machine.nproc)} CPUs, Node ${process.version}, load ${(machine.loadAvgStart as number[]).join(' ')}`)

  const sets: FigureSet[] = []
  const failures: Record<string, string> = {}
  for (const [id, run] of Object.entries(benchmarks)) {
    if (only && !only.includes(id)) continue
    const t0 = Date.now()
    log(`${id} start`)
    try {
      sets.push(await run(ctx))
    } catch (err) {
      failures[id] = (err as Error).stack ?? String(err)
      log(`${id} FAILED: ${(err as Error).message}`)
    }
    log(`${id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }
  machine.loadAvgEnd = os.loadavg().map((v) => Math.round(v * 100) / 100)
  machine.elapsedS = Math.round((Date.now() - started) / 100) / 10

  // Written with a callback: a pipe's writes are asynchronous, and the exit below must not cut them.
  const write = (text: string) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve()))
  if (json) {
    const figures = Object.fromEntries(sets.map((s) => [s.id, { title: s.title, rows: s.rows, facts: s.facts }]))
    await write(JSON.stringify({ machine, figures, failures }, null, 2) + '\n')
  } else {
    const load = (k: string) => (machine[k] as number[]).map(fmt).join(' ')
    await write([
      `fastify-reliability benchmarks (${String(machine.mode)})`,
      `machine: ${String(machine.nproc)} CPUs (${String(machine.cpu)}), ${String(machine.memoryGB)} GB, Node ${process.version}, ${String(machine.platform)}`,
      `load average (1/5/15 min): start ${load('loadAvgStart')}, end ${load('loadAvgEnd')}; elapsed ${String(machine.elapsedS)} s`,
      `command: ${String(machine.command)}`,
      '',
      printTable(sets)
    ].join('\n'))
    for (const [id, stack] of Object.entries(failures)) await write(`\n${id} failed:\n${stack}\n`)
  }
  if (Object.keys(failures).length > 0) process.exitCode = 1
}

// Exit explicitly: prom-client's default-metric collectors (B6's fixtures) keep the loop alive.
main().then(() => process.exit(), (err) => {
  process.stderr.write(`[bench] ${(err as Error).message}\n`)
  process.exit(1)
})
