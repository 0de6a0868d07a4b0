/**
 * TLS for the master's one port: the API, the event streams and the worker link. The PEM
 * files are read once at start-up, so a missing or mismatched file stops Haze with the
 * setting named, instead of failing every client's handshake later.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ServerOptions } from 'node:https'
import { createSecureContext } from 'node:tls'
import type { TlsConfig } from '../config.js'
import { coerceError } from '../domain/errors.js'

/** Options for Node's HTTPS server; throws an Error naming the `tls.*` setting at fault. */
export function httpsOptions(tls: TlsConfig): ServerOptions {
  const cert = readPem('cert', tls.cert)
  const key = readPem('key', tls.key)
  // Workers read the CA file themselves; one they cannot use would fail each of them late.
  const ca = tls.ca === undefined ? undefined : readPem('ca', tls.ca)
  try {
    createSecureContext({ cert, key })
  } catch (error) {
    throw new Error(
      `tls.cert ${tls.cert} and tls.key ${tls.key} are not a usable certificate and private key ` +
        `(${coerceError(error).message}); both must be PEM files, the key the certificate's own`,
      { cause: error },
    )
  }
  if (ca !== undefined) {
    try {
      new X509Certificate(ca)
    } catch (error) {
      throw new Error(`tls.ca ${tls.ca ?? ''} holds no certificate (${coerceError(error).message}); it must be a PEM file`, {
        cause: error,
      })
    }
  }
  return { cert, key }
}

/** The file workers verify the master's certificate with: the CA if given, else the certificate itself. */
export function workerTrustFile(tls: TlsConfig | undefined): string | undefined {
  return tls && (tls.ca ?? tls.cert)
}

function readPem(setting: 'cert' | 'key' | 'ca', path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new Error(`cannot read tls.${setting} ${path}: ${coerceError(error).message}; set tls.${setting} to a readable PEM file`, {
      cause: error,
    })
  }
}
