// The page's assembly (plugin/ui/status-page.ts) refuses what would break its hashes, and a page
// that cannot be assembled costs the page only: the route is left out and the reason logged once.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import Fastify from 'fastify'
import { loadStatusPage } from '../../../plugin/ui/status-page.js'
import { statusPageRoute } from '../../../plugin/ui/status-page-route.js'
import { captureLog } from '../../helpers/capture-log.js'
import { projectRoot } from '../../helpers/project-root.js'

const source = new URL('plugin/ui/page/', projectRoot)

/** A copy of the page's files in a temp dir, with `edit` applied to one of them. */
function brokenCopy (t: { teardown (fn: () => void): void }, file: string, edit: (text: string) => string): URL {
  const dir = mkdtempSync(join(tmpdir(), 'status-page-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(source, dir, { recursive: true })
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')))
  return pathToFileURL(`${dir}/`)
}

t.test('the page\'s own files assemble into one page, each script once', async (t) => {
  const page = loadStatusPage()
  t.equal(page.html.match(/<script>/g)?.length, 1)
  for (const name of ['format.js', 'charts.js', 'render.js', 'main.js']) {
    const first = readFileSync(new URL(name, source), 'utf8').split('\n')[0]
    t.ok(page.html.includes(first), `${name} is in it`)
  }
})

t.test('what would break the page is refused with the file named', async (t) => {
  const cases = [
    { name: 'a closing script tag in a script', file: 'render.js', edit: (s: string) => `${s}\n// </script>\n`, error: /render\.js contains <\/script/ },
    { name: 'a closing style tag in the style', file: 'status-page.css', edit: (s: string) => `${s}\n/* </STYLE> */\n`, error: /status-page\.css contains <\/style/ },
    { name: 'no script placeholder', file: 'status-page.html', edit: (s: string) => s.replace('<!-- script -->', ''), error: /status-page\.html lacks/ },
    { name: 'a missing script', file: 'main.js', edit: () => '', error: null }
  ]
  for (const c of cases) {
    const dir = brokenCopy(t, c.file, c.edit)
    if (c.error) t.throws(() => loadStatusPage(dir), c.error, c.name)
    else {
      rmSync(new URL(c.file, dir))
      t.throws(() => loadStatusPage(dir), { code: 'ENOENT' }, c.name)
    }
  }
})

t.test('a page that cannot be loaded: no route, one error logged, the rest of the app unharmed', async (t) => {
  const { log, lines } = captureLog('info')
  const app = Fastify({ loggerInstance: log })
  t.teardown(() => app.close())
  app.register(async (scope) => {
    statusPageRoute(scope, { path: '/r', checkAccess: async () => {}, load: () => { throw new Error('ENOENT: status-page.html') } })
    scope.get('/r', async () => ({ ok: true }))
  })
  t.equal((await app.inject('/r/ui')).statusCode, 404)
  t.equal((await app.inject('/r')).statusCode, 200)
  const errors = lines.filter((l) => l.level === 50)
  t.equal(errors.length, 1)
  t.match(errors[0], { msg: /status page could not be loaded/, err: { message: /status-page\.html/ } })
})
