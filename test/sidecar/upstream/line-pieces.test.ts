// The body decoder the metrics source reads from: pieces end at newlines, UTF-8 split across chunks
// is joined, and the pieces read back as exactly the body, however the chunks fall.
import t from 'tap'
import fc from 'fast-check'
import { LinePieces } from '../../../sidecar/upstream/line-pieces.js'

function split (bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let from = 0
  for (const c of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, c))
    from = c
  }
  return chunks
}

function decode (chunks: Buffer[]): string[] {
  const pieces = new LinePieces()
  for (const c of chunks) pieces.push(c)
  return pieces.end()
}

t.test('any text cut anywhere: the pieces join to the text, and each but the last ends a line', async (t) => {
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r\n', 'é', '😀', 'a', '# x 1\n', '\u0000'), fc.string({ unit: 'grapheme', maxLength: 1 })), maxLength: 200 })
  fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (s, cuts) => {
    const pieces = decode(split(Buffer.from(s, 'utf8'), cuts))
    if (pieces.join('') !== s) return false
    // Only the last piece may lack a final newline, and no piece is empty.
    return pieces.every((p, i) => p !== '' && (i === pieces.length - 1 || p.endsWith('\n')))
  }), { numRuns: 2000 })
  t.pass('round trip')
})

t.test('a 4-byte character split over three chunks reads back whole', async (t) => {
  const bytes = Buffer.from('a 1\nb{x="😀"} 2\n', 'utf8')
  const at = bytes.indexOf(0xf0)
  t.same(decode([bytes.subarray(0, at + 1), bytes.subarray(at + 1, at + 3), bytes.subarray(at + 3)]), ['a 1\n', 'b{x="😀"} 2\n'])
  t.end()
})

t.test('a line longer than many chunks is one piece; a body with no newline is one piece', async (t) => {
  const long = 'x'.repeat(1000)
  t.same(decode(split(Buffer.from(`${long}\nend`), [100, 200, 300, 999])), [`${long}\n`, 'end'])
  t.same(decode([Buffer.from('{"status":'), Buffer.from('"pass"}')]), ['{"status":"pass"}'])
  t.same(decode([]), [], 'an empty body has no pieces')
  t.end()
})
