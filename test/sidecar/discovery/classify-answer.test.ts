// Whether one answer means "the target offers this path" (issue 9): answers as the upstream client
// gives them, errors as it codes them.
import t from 'tap'
import { ReliabilityErrors } from '../../../plugin/errors.js'
import { classifyAnswer, isHtml, isJsonObject, type Verdict } from '../../../sidecar/discovery/classify-answer.js'
import type { PollResult } from '../../../sidecar/poller/poller.js'

function answered (statusCode: number, body: string, contentType?: string, lines = [body]): PollResult {
  return { answer: { statusCode, contentType, body, lines, durationMs: 2 }, at: 0, durationMs: 2 }
}
const failed = (error: Error): PollResult => ({ error, at: 0, durationMs: 2 })

const springHealth = '{"status":"UP","components":{"db":{"status":"UP"}}}'
const landing = '<html>\n\t\t\t<head><title>Node Exporter</title></head>\n<body>...</body></html>\n'
const exposition = '# HELP up Up\n# TYPE up gauge\nup 1\n'

const offered: Verdict = { kind: 'offered' }
const notOffered = (reason: string): Verdict => ({ kind: 'not-offered', reason })
const transport: Verdict = { kind: 'failed' }

const cases: Array<[string, PollResult, Verdict]> = [
  ['404', answered(404, 'not found', 'text/plain'), notOffered('answered 404')],
  ['405', answered(405, '', 'text/plain'), notOffered('answered 405')],
  ['410', answered(410, '{"error":"gone"}', 'application/json'), notOffered('answered 410')],
  ['404 with a JSON body', answered(404, '{"detail":"Not Found"}', 'application/json'), notOffered('answered 404')],
  ['HTML by its type, 200', answered(200, 'Welcome', 'text/html; charset=utf-8'), notOffered('answered HTML')],
  ['HTML by its first character, no type', answered(200, landing), notOffered('answered HTML')],
  ['HTML after a blank first line and a BOM', answered(200, '\n\uFEFF  <!DOCTYPE html>', 'text/plain', ['\n', '\uFEFF  <!DOCTYPE html>']), notOffered('answered HTML')],
  ['HTML with a 500', answered(500, '<h1>Internal Server Error</h1>', 'text/html'), notOffered('answered HTML')],
  ['a redirect (3xx, never followed)', failed(ReliabilityErrors.UPSTREAM_REDIRECT('/health', 302)), notOffered('answered a redirect')],
  ['JSON 200', answered(200, springHealth, 'application/vnd.spring-boot.actuator.v3+json'), offered],
  ['JSON 503: the app saying down', answered(503, '{"status":"DOWN"}', 'application/json'), offered],
  ['5xx without a body', answered(500, '', 'text/plain'), offered],
  ['health text', answered(200, 'Prometheus Server is Healthy.\n', 'text/plain; charset=utf-8'), offered],
  ['Prometheus text', answered(200, exposition, 'text/plain; version=0.0.4'), offered],
  ['401: there, but protected', answered(401, 'unauthorized', 'text/plain'), offered],
  ['connection refused', failed(ReliabilityErrors.UPSTREAM_UNREACHABLE('/health', 'ECONNREFUSED')), transport],
  ['timeout', failed(ReliabilityErrors.UPSTREAM_TIMEOUT('/health', 100)), transport],
  ['an uncoded error', failed(new Error('boom')), transport],
  ['a body over the cap: there, but too big', failed(ReliabilityErrors.BODY_TOO_LARGE('/metrics', 1024)), offered]
]

for (const [name, result, expected] of cases) {
  t.test(name, async (t) => {
    t.same(classifyAnswer(result), expected)
  })
}

// The websocket admin is found only by a JSON object; once found, it is not held to that.
const jsonObjectCases: Array<[string, PollResult, Verdict]> = [
  ['a JSON object', answered(200, '{"active_connections":3}', 'application/json'), offered],
  ['a JSON array', answered(200, '[1,2]', 'application/json'), notOffered('answered no JSON object')],
  ['plain text', answered(200, 'ok', 'text/plain'), notOffered('answered no JSON object')],
  ['invalid JSON', answered(200, '{"active_connections": 3,', 'application/json'), notOffered('answered no JSON object')],
  ['a JSON object with a 500', answered(500, '{"error":"x"}', 'application/json'), notOffered('answered 500')],
  ['404 first', answered(404, '{}', 'application/json'), notOffered('answered 404')],
  ['a timeout is still a failed poll', failed(ReliabilityErrors.UPSTREAM_TIMEOUT('/admin/websocket', 100)), transport]
]

for (const [name, result, expected] of jsonObjectCases) {
  t.test(`a JSON object required: ${name}`, async (t) => {
    t.same(classifyAnswer(result, isJsonObject), expected)
  })
}

t.test('isHtml reads no further than the first visible character', async (t) => {
  const answer = (...args: Parameters<typeof answered>) => answered(...args).answer as NonNullable<PollResult['answer']>
  const pieces = ['# HELP a b\n', '<not read>']
  t.notOk(isHtml({ ...answer(200, '', 'text/plain'), lines: pieces, get body (): string { throw new Error('the whole body was read') } }))
  t.notOk(isHtml(answer(200, '', 'text/plain', [])), 'an empty body is not HTML')
  t.ok(isHtml(answer(200, '', 'TEXT/HTML')), 'the type, in any case')
})
