/**
 * API tokens and roles over real HTTP and WebSocket: each refusal (no token, a wrong token, a
 * role below the route's), that a refused change changes nothing, the public routes, the
 * audit trail, worker credentials, token values kept out of the log, and the refusal to open
 * the API beyond loopback without tokens.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { Gate } from '../src/auth/gate.js'
import { listRules } from '../src/auth/policy.js'
import { TokenSet, redactUrl } from '../src/auth/tokens.js'
import { WorkerCredentials } from '../src/auth/worker-credentials.js'
import { loadConfig } from '../src/config.js'
import { ROLES, type Role } from '../src/domain/roles.js'
import { createLogger, type Logger } from '../src/logger.js'
import { openEvents, refusedUpgrade } from './helpers/events.js'
import { jsonBody, startHaze, upload, type TestHaze } from './helpers/haze.js'
import { sample } from './helpers/samples.js'

const TOKENS: Record<Role, string> = {
  read: 'read-token-0123456789abcdef',
  run: 'run-token-0123456789abcdef',
  deploy: 'deploy-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
}
const WRONG = 'not-a-token-0123456789abcdef'
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const as = (role: Role, init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), ...bearer(TOKENS[role]) } })

/** Log lines the master wrote, to check that no token value ever reaches them. */
function capturedLog(): { logger: Logger; text: () => string } {
  const chunks: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'))
      done()
    },
  })
  return { logger: createLogger('debug', { destination: sink }), text: () => chunks.join('') }
}

describe('API tokens and roles', () => {
  let haze: TestHaze
  const log = capturedLog()

  before(async () => {
    haze = await startHaze({ auth: { tokens: ROLES.map((role) => ({ name: `${role}er`, role, token: TOKENS[role] })) } }, log.logger)
    assert.equal((await haze.api('/v2/api/artifacts', as('deploy', upload('jobs.py', sample('jobs.py'))))).status, 200)
    const fn = { name: 'noop', path: 'jobs.py', className: 'noop', defaultContext: 'default' }
    assert.equal((await haze.api('/v2/api/functions', as('deploy', jsonBody('POST', fn)))).status, 200)
  })
  after(() => haze.close())

  it('refuses a request without a token: 401, WWW-Authenticate: Bearer, and what to send', async () => {
    const response = await haze.api('/v2/api/functions')
    assert.equal(response.status, 401)
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="haze"')
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8')
    const body = (await response.json()) as { detail: string }
    assert.match(body.detail, /requires an API token: send the header "Authorization: Bearer <token>"/)
  })

  it('refuses a wrong token, and a token that is not Bearer, with 401', async () => {
    assert.equal((await haze.api('/v2/api/functions', { headers: bearer(WRONG) })).status, 401)
    assert.equal((await haze.api('/v2/api/functions', { headers: { authorization: `Basic ${TOKENS.admin}` } })).status, 401)
    const wrong = await haze.json<{ detail: string }>('/v2/api/functions', { headers: bearer(WRONG) })
    assert.equal(wrong.body.detail, 'the API token is not valid; ask whoever runs this Haze for one')
  })

  it('refuses an unknown path without a token with 401, so it tells a stranger nothing', async () => {
    assert.equal((await haze.api('/v2/api/nothing-here')).status, 401)
    assert.equal((await haze.api('/v2/api/nothing-here', as('read'))).status, 404)
  })

  it('answers the probes and the UI shell without a token', async () => {
    assert.equal((await haze.api('/health')).status, 200)
    assert.equal((await haze.api('/ready')).status, 200)
    assert.equal((await haze.api('/', { redirect: 'manual' })).status, 302)
  })

  it('refuses every role below each rule with 403 naming the role that would do, and admits the role itself', async () => {
    const rules = listRules().filter(({ rule }) => rule.access !== 'public')
    assert.ok(rules.length >= 12, 'every protected route has a rule')
    for (const { route, method, rule } of rules) {
      const path = route.replace(':id', 'no-such-thing').replace(':name', 'no-such-thing.py')
      const needed = rule.access as Role
      for (const role of ROLES.slice(0, ROLES.indexOf(needed))) {
        const answer = await haze.json<{ detail: string }>(path, as(role, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) }))
        assert.equal(answer.status, 403, `${role} on ${method} ${route}`)
        assert.match(answer.body.detail, new RegExp(`^token "${role}er" has role ${role}; ${method} \\S+ needs role ${needed}`), `${method} ${route}`)
      }
      const admitted = await haze.api(path, as(needed, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) }))
      assert.notEqual(admitted.status, 403, `${needed} on ${method} ${route}`)
      assert.notEqual(admitted.status, 401, `${needed} on ${method} ${route}`)
    }
  })

  it('changes nothing when it refuses: no context, no artifact, no deleted function, no job', async () => {
    const context = { name: 'refused', maxJobs: 2 }
    assert.equal((await haze.api('/v2/api/contexts', as('run', jsonBody('POST', context)))).status, 403)
    assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', context))).status, 401)
    assert.equal((await haze.api('/v2/api/contexts/refused', as('admin'))).status, 404)

    assert.equal((await haze.api('/v2/api/artifacts', as('run', upload('refused.py', 'x = 1')))).status, 403)
    assert.deepEqual(readdirSync(join(haze.dataDir, 'artifacts')).filter((name) => name.startsWith('refused')), [])

    assert.equal((await haze.api('/v2/api/functions/noop', as('run', { method: 'DELETE' }))).status, 403)
    assert.equal((await haze.api('/v2/api/functions/noop', as('read'))).status, 200)

    assert.equal((await haze.api('/v2/api/functions/noop/jobs', as('read', jsonBody('POST', {})))).status, 403)
    const jobs = await haze.json<{ total: number }>('/v2/api/jobs?paginate=true', as('read'))
    assert.equal(jobs.body.total, 0)
  })

  it('takes the token from ?token= on a WebSocket upgrade, and refuses one without a valid token', async () => {
    const missing = await refusedUpgrade(haze.url, '/v2/api/ws/all')
    assert.equal(missing.status, 401)
    assert.match(missing.detail, /requires an API token/)
    const wrong = await refusedUpgrade(haze.url, `/v2/api/ws/all?token=${WRONG}`)
    assert.equal(wrong.status, 401)
    const jobStream = await refusedUpgrade(haze.url, '/v2/api/ws/jobs/some-job')
    assert.equal(jobStream.status, 401)

    const byQuery = await openEvents(haze.url, `/v2/api/ws/all?token=${TOKENS.read}`)
    await byQuery.close()
    const byHeader = await openEvents(haze.url, '/v2/api/ws/all', bearer(TOKENS.read))
    await byHeader.close()
  })

  it('records each change with the token name in the audit trail, readable by admin only', async () => {
    assert.equal((await haze.api('/v2/api/contexts', as('deploy', jsonBody('POST', { name: 'audited', maxJobs: 2 })))).status, 200)
    assert.equal((await haze.api('/v2/api/contexts/audited', as('admin', jsonBody('PUT', { maxJobs: 3 })))).status, 200)
    assert.equal((await haze.api('/v2/api/contexts/audited', as('deploy', { method: 'DELETE' }))).status, 200)

    assert.equal((await haze.api('/v2/api/audit', as('deploy'))).status, 403)
    const page = await haze.json<{ entries: { actor: string; action: string; target: string; status: number }[]; total: number }>(
      '/v2/api/audit?paginate=true&limit=3',
      as('admin'),
    )
    assert.equal(page.status, 200)
    assert.deepEqual(
      page.body.entries.map(({ actor, action, target, status }) => ({ actor, action, target, status })),
      [
        { actor: 'deployer', action: 'context.delete', target: 'audited', status: 200 },
        { actor: 'adminer', action: 'context.update', target: 'audited', status: 200 },
        { actor: 'deployer', action: 'context.create', target: 'audited', status: 200 },
      ],
    )
    // The setup's upload and deploy came first; refused attempts are not changes.
    assert.equal(page.body.total, 5)
    const uploads = await haze.json<{ action: string; target: string }[]>('/v2/api/audit?action=artifact.upload', as('admin'))
    assert.deepEqual(uploads.body.map(({ action, target }) => ({ action, target })), [{ action: 'artifact.upload', target: 'jobs.py' }])
    assert.match(log.text(), /"msg":"audit: deployer context.delete audited"/)
  })

  it('says in /v2/api/status that tokens protect it', async () => {
    const status = await haze.json<{ security: unknown }>('/v2/api/status', as('read'))
    assert.deepEqual(status.body.security, { tokens: true, tls: false, warnings: [] })
  })

  it('never writes a token value to the log, only token names', () => {
    const text = log.text()
    for (const token of [...Object.values(TOKENS), WRONG]) assert.equal(text.includes(token), false, 'a token value is in the log')
    assert.match(text, /"token":"deployer"/)
  })
})

describe('the access gate', () => {
  const workers = new WorkerCredentials()
  const gate = new Gate(new TokenSet([{ name: 'reader', role: 'read', token: TOKENS.read }]), workers, { publicMetrics: false }, createLogger('silent'))

  it('lets a worker credential download artifacts and nothing else, until its worker exits', () => {
    const credential = workers.issue('w-1')
    assert.deepEqual(gate.admit('GET', '/v2/api/artifacts/:name', credential).worker, 'w-1')
    assert.throws(() => gate.admit('GET', '/v2/api/jobs', credential), { code: 'forbidden', message: /a worker credential only downloads artifacts/ })
    assert.throws(() => gate.admit('DELETE', '/v2/api/artifacts/:name', credential), { code: 'forbidden' })
    workers.revoke('w-1')
    assert.throws(() => gate.admit('GET', '/v2/api/artifacts/:name', credential), { code: 'unauthorized' })
  })

  it('refuses a forged worker credential', () => {
    workers.issue('w-2')
    assert.throws(() => gate.admit('GET', '/v2/api/artifacts/:name', `worker:w-2:${'0'.repeat(48)}`), { code: 'unauthorized' })
    assert.throws(() => gate.admit('GET', '/v2/api/artifacts/:name', 'worker:w-3:nothing'), { code: 'unauthorized' })
  })

  it('opens /metrics without a token only when metrics.public is set', () => {
    assert.throws(() => gate.admit('GET', '/metrics', undefined), { code: 'unauthorized' })
    const open = new Gate(new TokenSet([{ name: 'reader', role: 'read', token: TOKENS.read }]), workers, { publicMetrics: true }, createLogger('silent'))
    assert.equal(open.admit('GET', '/metrics', undefined).rule.access, 'public')
  })

  it('needs read for an unlisted read and admin for an unlisted change', () => {
    assert.throws(() => gate.admit('POST', '/v2/api/some-new-route', TOKENS.read), { code: 'forbidden', message: /needs role admin$/ })
    assert.equal(gate.admit('GET', '/v2/api/some-new-route', TOKENS.read).caller?.name, 'reader')
  })

  it('redacts token query parameters from logged URLs', () => {
    assert.equal(redactUrl('/v2/api/ws/all?withLogs=true&token=abc&x=1'), '/v2/api/ws/all?withLogs=true&token=***&x=1')
  })
})

describe('the API on a network', () => {
  it('refuses to listen beyond loopback without tokens', async () => {
    await assert.rejects(startHaze({ host: '0.0.0.0' }), /refusing to listen on 0\.0\.0\.0 without API tokens/)
  })

  it('listens beyond loopback without tokens when allowed, and warns in /v2/api/status', async () => {
    const log = capturedLog()
    const haze = await startHaze({ host: '0.0.0.0', allowUnauthenticated: true }, log.logger)
    try {
      const status = await haze.json<{ security: { warnings: string[] } }>('/v2/api/status')
      assert.deepEqual(status.body.security.warnings, ['the API has no tokens and listens on 0.0.0.0: anyone who reaches it can run code on the cluster'])
      assert.match(log.text(), /"level":40,[^\n]*"msg":"unsafe: the API has no tokens and listens on 0\.0\.0\.0/)
    } finally {
      await haze.close()
    }
  })

  it('starts on loopback without tokens, as before: the API is open and audits changes as anonymous', async () => {
    const haze = await startHaze()
    try {
      assert.equal((await haze.api('/v2/api/contexts', jsonBody('POST', { name: 'open' }))).status, 200)
      const audit = await haze.json<{ actor: string; action: string }[]>('/v2/api/audit')
      assert.deepEqual(audit.body.map(({ actor, action }) => ({ actor, action })), [{ actor: 'anonymous', action: 'context.create' }])
    } finally {
      await haze.close()
    }
  })
})

describe('tokens in the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haze-tokens-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const load = (auth: unknown) => {
    const file = join(dir, 'haze.json')
    writeFileSync(file, JSON.stringify({ auth }))
    return loadConfig({ config: file }, {})
  }

  it('reads a token from tokenFile, relative to the config file, without its trailing newline', () => {
    writeFileSync(join(dir, 'ci.token'), `${TOKENS.run}\n`)
    const config = load({ tokens: [{ name: 'ci', role: 'run', tokenFile: 'ci.token' }] })
    assert.deepEqual(config.auth.tokens, [{ name: 'ci', role: 'run', token: TOKENS.run }])
  })

  it('refuses a short token, an unknown role, a name used twice, and both token and tokenFile', () => {
    assert.throws(() => load({ tokens: [{ name: 'ci', role: 'run', token: 'short' }] }), /at least 16 characters/)
    assert.throws(() => load({ tokens: [{ name: 'ci', role: 'root', token: TOKENS.run }] }), /role must be one of read, run, deploy, admin; got "root"/)
    assert.throws(
      () => load({ tokens: [{ name: 'ci', role: 'run', token: TOKENS.run }, { name: 'ci', role: 'read', token: TOKENS.read }] }),
      /another token has the same name/,
    )
    assert.throws(() => load({ tokens: [{ name: 'ci', role: 'run', token: TOKENS.run, tokenFile: 'ci.token' }] }), /exactly one of token and tokenFile/)
  })

  it('never puts a token value in a configuration error', () => {
    assert.throws(
      () => load({ tokens: [{ name: 'a', role: 'run', token: TOKENS.run }, { name: 'b', role: 'read', token: TOKENS.run }] }),
      (error: Error) => /another token has the same value/.test(error.message) && !error.message.includes(TOKENS.run),
    )
  })
})
