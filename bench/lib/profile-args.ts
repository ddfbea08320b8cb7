// `--cpu-prof`: server children write a V8 CPU profile when they exit (read it with profile-top.js).
import type { BenchContext } from './figure.js'

export function profileArgs (ctx: BenchContext, name: string): string[] {
  if (ctx.cpuProfDir === undefined) return []
  return ['--cpu-prof', '--cpu-prof-dir', ctx.cpuProfDir, '--cpu-prof-name', `${name}-${process.pid}.cpuprofile`]
}
