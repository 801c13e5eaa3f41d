// FTPS trust (SPEC 4): which certificate an import accepts, decided on the control connection
// before USER is sent, and again on every data connection.
//
// Node's own rejection is turned off (`rejectUnauthorized: false`) on purpose, and only because
// `checkPeer` below makes the decision instead: Node would drop the connection before we could
// read the certificate, and an untrusted certificate must be reported with its fingerprint so an
// administrator can pin it. Node still verifies the chain (against `caFile` or the system CAs) and
// the host name, and reports the outcome in `authorized` / `authorizationError`, which we read.

import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { FramError, localFailure } from '../errors.js';
import type { FtpsConfig } from './ftps-config.js';
import type { PeerIdentity } from './transport.js';

export interface TrustPolicy {
  host: string;
  /** Lower-case hex without colons; when set, it alone decides (no CA chain needed). */
  pin?: string;
  /** Where the CA list came from, for messages: the caFile path, or the system CAs. */
  caSource: string;
  insecure: boolean;
  tls: ConnectionOptions;
}

export function trustPolicy(imp: Pick<FtpsConfig, 'caFile' | 'certSha256' | 'insecureTls'>, host: string): TrustPolicy {
  const tls: ConnectionOptions = {
    host,
    // See the top of the file: checkPeer decides, before any credentials are sent.
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  };
  if (isIP(host) === 0) tls.servername = host;
  if (imp.caFile) {
    try {
      tls.ca = readFileSync(imp.caFile, 'utf8');
    } catch (e) {
      throw localFailure(e, imp.caFile, 'reading the caFile');
    }
  }
  return {
    host,
    ...(imp.certSha256 ? { pin: imp.certSha256.replace(/:/g, '').toLowerCase() } : {}),
    caSource: imp.caFile ? `caFile ${imp.caFile}` : 'the system CAs',
    insecure: imp.insecureTls,
    tls,
  };
}

/** `ab12...` -> `AB:12:...`, as `openssl x509 -fingerprint -sha256` prints it (and certSha256 accepts it). */
export function colonHex(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

const REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issued by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'issued by a CA that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issued by a CA that is not trusted',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate has been revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
};

function describeName(name: string | undefined): string {
  return (name ?? '').split('\n').filter(Boolean).join(', ') || '(none)';
}

/**
 * Checks the certificate of a finished TLS handshake against the policy. Returns what the server
 * showed of itself; throws FramError 5005 (fingerprint as colon-separated upper-case hex) when
 * the certificate is not trusted.
 */
export function checkPeer(socket: TLSSocket, policy: TrustPolicy): PeerIdentity {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw) {
    if (policy.insecure) return { kind: 'certificate', fingerprint: '', detail: 'the server sent no certificate' };
    throw new FramError(5005, { fingerprint: '(none)', reason: 'the server sent no certificate' });
  }
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  const x509 = new X509Certificate(cert.raw);
  const peer: PeerIdentity = {
    kind: 'certificate',
    fingerprint,
    detail: `subject ${describeName(x509.subject)} issuer ${describeName(x509.issuer)}`,
  };

  let reason: string | null;
  if (policy.pin !== undefined) {
    reason = fingerprint === policy.pin ? null : 'does not match the pinned certificate (certSha256)';
  } else if (socket.authorized) {
    reason = null;
  } else {
    const code = String(socket.authorizationError ?? 'unknown');
    const what = REASONS[code] ?? `verification failed (${code})`;
    const name = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `: the certificate is not for ${policy.host}` : '';
    reason = `${what}${name} (checked against ${policy.caSource}); give caFile or pin it with certSha256 if it is the right one`;
  }
  if (reason !== null && !policy.insecure) throw new FramError(5005, { fingerprint: colonHex(fingerprint), reason });
  return peer;
}

/**
 * Makes a data connection pass the same check as the control connection. A data connection that
 * resumed the control connection's TLS session (what vsftpd's require_ssl_reuse demands, and what
 * basic-ftp offers) is the same peer: only it holds that session's secret, and a resumed handshake
 * carries no certificate to look at. A full handshake must show a trusted certificate, and the
 * control connection's one. Otherwise the socket is destroyed with the 5005 error before any data
 * is used; `onRefused` keeps the error, since basic-ftp rewrites the messages of socket errors.
 */
export function guardDataSocket(
  socket: TLSSocket,
  policy: TrustPolicy,
  control: PeerIdentity,
  onRefused: (e: FramError) => void,
): void {
  socket.once('secureConnect', () => {
    if (socket.isSessionReused()) return;
    try {
      const peer = checkPeer(socket, policy);
      if (!policy.insecure && peer.fingerprint !== control.fingerprint) {
        throw new FramError(5005, {
          fingerprint: colonHex(peer.fingerprint),
          reason: 'the data connection shows another certificate than the control connection',
        });
      }
    } catch (e) {
      const err =
        e instanceof FramError
          ? e
          : new FramError(5005, { fingerprint: '(unknown)', reason: (e as Error).message }, { cause: e });
      onRefused(err);
      socket.on('error', () => {});
      socket.destroy(new Error(err.message));
    }
  });
}
