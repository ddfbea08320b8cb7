// Reads a value from the report by dotted path (`performance.request_latency_ms.p95`).

/**
 * The value at `path` in `source`, or undefined when any step is missing or not an object.
 * Only own properties are followed, so `constructor` or `__proto__` never reach the prototype;
 * array elements are reachable by index (`services.0.latency_ms`). Never throws: a throwing
 * getter reads as missing, which the rule engine treats as "no data".
 */
export function readPath (source: unknown, path: string): unknown {
  let current: unknown = source
  try {
    for (const key of path.split('.')) {
      if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
        return undefined
      }
      current = (current as Record<string, unknown>)[key]
    }
  } catch {
    return undefined
  }
  return current
}
