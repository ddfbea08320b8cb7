// The status page's bytes (SPEC §9), assembled once from plugin/ui/page/: the markup with its style
// and its scripts inlined, and the Content-Security-Policy that allows exactly those two by hash.
// Inline, so the page is one self-contained answer (no second request, nothing from a CDN); by
// hash, so nothing else can run in it, not even markup an upstream managed to put into a report.
// The page holds no data: everything it shows it fetches from the report and history routes.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** The page's scripts, in the order they run: each uses only what the ones before it declare. */
export const PAGE_SCRIPTS = Object.freeze(['format.js', 'charts.js', 'render.js', 'main.js'] as const)

export interface StatusPage {
  readonly html: string
  readonly contentSecurityPolicy: string
}

// Beside this file in the sources and in dist/ alike: the build copies plugin/ui/page/ as it is.
const pageDir = new URL('./page/', import.meta.url)
const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/** A closing tag inside the text would end the element early, and the hash would cover the wrong bytes. */
function inlinable (text: string, tag: 'script' | 'style', name: string): string {
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`plugin/ui/page/${name} contains </${tag}: it cannot be inlined`)
  return text
}

/** Reads and assembles the page; throws naming the file when one is missing or cannot be inlined. */
export function loadStatusPage (dir: URL = pageDir): StatusPage {
  const read = (name: string) => readFileSync(new URL(name, dir), 'utf8')
  // One function scope around all the files: they share their declarations and leak none to `window`.
  const script = `(() => {\n'use strict'\n${PAGE_SCRIPTS.map((name) => inlinable(read(name), 'script', name)).join('\n')}\n})()\n`
  const style = inlinable(read('status-page.css'), 'style', 'status-page.css')
  const markup = read('status-page.html')
  if (!markup.includes('<!-- style -->') || !markup.includes('<!-- script -->')) {
    throw new Error('plugin/ui/page/status-page.html lacks its <!-- style --> or <!-- script --> placeholder')
  }
  // Functions as replacements: a `$&` or `$'` in the text must stay as written.
  const html = markup
    .replace('<!-- style -->', () => `<style>${style}</style>`)
    .replace('<!-- script -->', () => `<script>${script}</script>`)
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    // The report and history JSON, from the origin that served the page; nothing else.
    "connect-src 'self'",
    "base-uri 'none'",
    // The token form is never submitted: its handler stores the token; this makes sure of it.
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
  return Object.freeze({ html, contentSecurityPolicy })
}
