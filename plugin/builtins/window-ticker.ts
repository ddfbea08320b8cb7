// One unref'd interval that moves every built-in window forward. Windows are kept as slots of
// windowMs / slots each, so a report covers between (slots-1)/slots and all of the last window:
// the figures are "the last minute", never the lifetime mean (SPEC §2).
export interface WindowTicker {
  readonly windowMs: number
  readonly slots: number
  readonly slotMs: number
  onTick(fn: () => void): void
  stop(): void
}

export function createWindowTicker (windowMs: number, slots = 6): WindowTicker {
  const slotMs = Math.max(1, Math.floor(windowMs / slots))
  const listeners: Array<() => void> = []
  const timer = setInterval(() => {
    for (const fn of listeners) fn()
  }, slotMs)
  timer.unref()
  return {
    windowMs,
    slots,
    slotMs,
    onTick: (fn) => { listeners.push(fn) },
    stop: () => clearInterval(timer)
  }
}
