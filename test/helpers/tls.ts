/**
 * Real certificates for TLS tests, made with the `openssl` command in a temp dir, all for
 * 127.0.0.1 and localhost: a self-signed one; a CA, a server certificate it issued, and an
 * unrelated CA that vouches for nothing Haze serves. `close()` removes them.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Agent } from 'undici'

const run = promisify(execFile)
// EC keys: generated at once, where RSA keys take a noticeable moment on a busy machine.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']

export interface TestCertificates {
  dir: string
  /** Self-signed, with its key. */
  selfSigned: { cert: string; key: string }
  /** The CA that issued `cert`. */
  ca: string
  cert: string
  key: string
  /** A CA that did not issue `cert`. */
  otherCa: string
  close(): void
}

export async function makeCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'haze-tls-'))
  const openssl = async (...args: string[]) => {
    try {
      await run('openssl', args, { cwd: dir, timeout: 30_000 })
    } catch (error) {
      throw new Error(`openssl ${args[0] ?? ''} failed; the TLS tests need the openssl command (apt-get install openssl)`, { cause: error })
    }
  }
  const names = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']
  try {
    await openssl('req', '-x509', ...EC_KEY, ...names, '-keyout', 'self.key', '-out', 'self.pem')
    for (const ca of ['ca', 'other-ca']) {
      await openssl('req', '-x509', ...EC_KEY, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-subj', `/CN=Haze test ${ca}`)
    }
    await openssl('req', ...EC_KEY, ...names, '-keyout', 'server.key', '-out', 'server.csr')
    await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-copy_extensions', 'copy', '-days', '1', '-out', 'server.pem')
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    dir,
    selfSigned: { cert: join(dir, 'self.pem'), key: join(dir, 'self.key') },
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
    otherCa: join(dir, 'other-ca.pem'),
    close: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** A fetch dispatcher that trusts only the CA in `caFile` (Node's fetch knows no other way to take a CA). */
export function trustingAgent(caFile: string): Agent {
  return new Agent({ connect: { ca: readFileSync(caFile) } })
}
