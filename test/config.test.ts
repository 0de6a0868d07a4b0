import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { loadConfig, parseSize } from '../src/config.js'
import { BUILT_IN_DEFAULT } from './helpers/contexts.js'

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haze-config-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string, content: unknown) => {
    const path = join(dir, name)
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  it('has loopback, 2004 and ./data by default, and the documented default context', () => {
    const config = loadConfig({}, {})
    assert.equal(config.host, '127.0.0.1')
    assert.equal(config.port, 2004)
    assert.equal(config.dataDir, join(process.cwd(), 'data'))
    assert.equal(config.uploadLimit, 250 * 1024 * 1024)
    assert.deepEqual(config.contextDefaults, BUILT_IN_DEFAULT)
  })

  it('layers file, then environment, then flags', () => {
    const path = file('layers.json', { host: '10.1.1.1', port: 3000, dataDir: 'rel-data', contextDefaults: { maxJobs: 4 } })
    const fromFile = loadConfig({ config: path }, {})
    assert.deepEqual([fromFile.host, fromFile.port, fromFile.dataDir, fromFile.contextDefaults.maxJobs], [
      '10.1.1.1',
      3000,
      join(dir, 'rel-data'),
      4,
    ])
    const fromEnv = loadConfig({}, { HAZE_CONFIG: path, HAZE_PORT: '3001', HAZE_HOST: '0.0.0.0', HAZE_DATA_DIR: '/tmp/x' })
    assert.deepEqual([fromEnv.host, fromEnv.port, fromEnv.dataDir], ['0.0.0.0', 3001, '/tmp/x'])
    const fromFlags = loadConfig({ config: path, port: '3002', host: '::1' }, { HAZE_PORT: '3001' })
    assert.deepEqual([fromFlags.host, fromFlags.port], ['::1', 3002])
  })

  it('refuses a bad setting, naming it', () => {
    const cases: [unknown, RegExp][] = [
      [{ prot: 2004 }, /config file .* is invalid/],
      [{ port: 'x' }, /is invalid/],
      [{ uploadLimit: 'lots' }, /uploadLimit must be a size/],
      [{ contextDefaults: { workerMode: 'solo' } }, /workerMode must be "shared" or "exclusive"/],
      [{ contextDefaults: { downtime: '1h' } }, /contextDefaults.downtime must be "Inf"/],
      [{ contextDefaults: { maxJobs: 0 } }, /maxJobs must be a whole number of at least 1/],
      ['{not json', /cannot read config file/],
    ]
    for (const [content, expected] of cases) {
      assert.throws(() => loadConfig({ config: file('bad.json', content) }, {}), expected, JSON.stringify(content))
    }
    assert.throws(() => loadConfig({ port: '70000' }, {}), /invalid port/)
    assert.throws(() => loadConfig({ config: join(dir, 'absent.json') }, {}), /cannot read config file/)
  })

  it('turns MQTT and Kafka on from the file, over their defaults, with credentials from the environment', () => {
    const off = loadConfig({}, {})
    assert.deepEqual([off.mqtt.on, off.kafka.on], [false, false])
    const path = file('async.json', {
      mqtt: { on: true, host: 'mq.local', port: 1884, username: 'from-file', password: 'file-secret' },
      kafka: { on: true, brokers: ['k1:9092', 'k2:9092'], publishTopic: 'events', saslMechanism: 'SCRAM-SHA-512', tls: true },
    })
    const config = loadConfig({ config: path }, { HAZE_MQTT_PASSWORD: 'env-secret', HAZE_KAFKA_USERNAME: 'svc', HAZE_KAFKA_PASSWORD: 'kafka-secret' })
    assert.deepEqual(config.mqtt, {
      on: true,
      host: 'mq.local',
      port: 1884,
      subscribeTopic: 'haze-in',
      publishTopic: 'haze-out',
      clientId: 'haze',
      username: 'from-file',
      password: 'env-secret',
    })
    assert.deepEqual(config.kafka, {
      on: true,
      brokers: ['k1:9092', 'k2:9092'],
      subscribeTopic: 'haze-in',
      publishTopic: 'events',
      groupId: 'haze',
      clientId: 'haze',
      saslMechanism: 'SCRAM-SHA-512',
      tls: true,
      username: 'svc',
      password: 'kafka-secret',
    })
    const cases: [unknown, RegExp][] = [
      [{ kafka: { brokers: [] } }, /\/kafka\/brokers must not have fewer than 1 items/],
      [{ kafka: { saslMechanism: 'GSSAPI' } }, /\/kafka\/saslMechanism/],
      [{ mqtt: { topic: 'x' } }, /\/mqtt must not have additional properties/],
    ]
    for (const [content, expected] of cases) {
      assert.throws(() => loadConfig({ config: file('bad-async.json', content) }, {}), expected, JSON.stringify(content))
    }
  })

  it('keeps jobs forever unless jobRetention says otherwise, and caps worker output files at 64 MiB', () => {
    const defaults = loadConfig({}, {})
    assert.equal(defaults.jobRetention, Infinity)
    assert.equal(defaults.workerOutputLimit, 64 * 1024 * 1024)
    const set = loadConfig({ config: file('retention.json', { jobRetention: '30d', workerOutputLimit: '8MiB' }) }, {})
    assert.deepEqual([set.jobRetention, set.workerOutputLimit], [30 * 86_400_000, 8 * 1024 * 1024])
    assert.equal(loadConfig({ config: file('retention-hours.json', { jobRetention: '12 hours' }) }, {}).jobRetention, 12 * 3_600_000)
    for (const bad of ['0s', '10ms', 'forever', '-1d']) {
      assert.throws(
        () => loadConfig({ config: file('bad-retention.json', { jobRetention: bad }) }, {}),
        /jobRetention must be/,
        bad,
      )
    }
  })

  it('reads sizes with units', () => {
    assert.equal(parseSize('s', '250MiB'), 262_144_000)
    assert.equal(parseSize('s', '10 MB'), 10_000_000)
    assert.equal(parseSize('s', '512'), 512)
    assert.equal(parseSize('s', 1024), 1024)
  })
})
