// Reads a float written in an exposition (values, timestamps, `le` and `quantile` labels) without
// slicing the string in the common case. Accepts what Go's strconv.ParseFloat accepts for these
// files: decimal and exponent forms, and `Inf`/`Infinity`/`NaN` in any case with an optional sign.

// 10^0..10^22 are exact doubles, so m * 10^k and m / 10^k (m < 2^53) are correctly rounded: the
// same double Number() gives for the decimal string.
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

function wordAt (text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(start + i) | 32) !== word.charCodeAt(i)) return false
  }
  return true
}

/** Digits, dots, signs and exponent letters only: what Number() may be trusted with here. */
function slow (text: string, start: number, end: number): number | undefined {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || (c | 32) === 101)) return undefined
  }
  const v = Number(text.slice(start, end))
  return Number.isNaN(v) ? undefined : v
}

/** The number written in text[start, end), or undefined when it is not one. */
export function readNumber (text: string, start: number, end: number): number | undefined {
  let p = start
  let c = text.charCodeAt(p)
  const negative = c === 45
  if (negative || c === 43) c = text.charCodeAt(++p)
  if (p >= end) return undefined
  const lower = c | 32
  if (lower === 105) {
    return wordAt(text, p, end, 'inf') || wordAt(text, p, end, 'infinity')
      ? (negative ? -Infinity : Infinity)
      : undefined
  }
  if (lower === 110) return wordAt(text, p, end, 'nan') ? NaN : undefined

  let mantissa = 0
  let digits = 0
  let fraction = 0
  let seenDigit = false
  let seenDot = false
  for (; p < end; p++) {
    c = text.charCodeAt(p)
    if (c >= 48 && c <= 57) {
      seenDigit = true
      if (digits > 0 || c !== 48) digits++
      mantissa = mantissa * 10 + (c - 48)
      if (seenDot) fraction++
    } else if (c === 46 && !seenDot) {
      seenDot = true
    } else {
      break
    }
  }
  if (!seenDigit) return undefined
  let exponent = 0
  if (p < end) {
    if ((c | 32) !== 101) return undefined
    c = text.charCodeAt(++p)
    const negativeExponent = c === 45
    if (negativeExponent || c === 43) p++
    if (p >= end) return undefined
    for (; p < end; p++) {
      c = text.charCodeAt(p)
      if (c < 48 || c > 57) return undefined
      if (exponent < 10000) exponent = exponent * 10 + (c - 48)
    }
    if (negativeExponent) exponent = -exponent
  }
  if (digits > 15) return slow(text, start, end)
  const k = exponent - fraction
  let v: number
  if (k === 0) v = mantissa
  else if (k > 0 && k <= 22) v = mantissa * POW10[k]
  else if (k < 0 && k >= -22) v = mantissa / POW10[-k]
  else return slow(text, start, end)
  return negative ? -v : v
}
