// A response body decoded as it streams in, into strings that each end at a newline: the metrics
// parser reads them in order and never needs the body as one string. V8 keeps a string over
// 128 KB as a large object in memory mapped for it alone; building one from a 1 MB scrape cost
// about 5 ms of CPU here, more than parsing it, while pieces the size of a socket read (64 KB)
// are ordinary young objects. UTF-8 sequences split across chunks are joined by the decoder.
import { StringDecoder } from 'node:string_decoder'

export class LinePieces {
  readonly pieces: string[] = []
  private readonly decoder = new StringDecoder('utf8')
  /** Text after the last newline so far: the start of a line that continues in the next chunk. */
  private carry = ''

  push (chunk: Buffer): void {
    const text = this.decoder.write(chunk)
    // Search only the new text: a long line's carry is never scanned twice.
    const cut = text.lastIndexOf('\n')
    if (cut === -1) {
      this.carry += text
      return
    }
    this.pieces.push(this.carry + text.slice(0, cut + 1))
    this.carry = text.slice(cut + 1)
  }

  /** The pieces, the last one without a final newline when the body has none. */
  end (): string[] {
    const rest = this.carry + this.decoder.end()
    if (rest !== '') this.pieces.push(rest)
    this.carry = ''
    return this.pieces
  }
}
