import { X509Certificate, createHash } from 'node:crypto';

/**
 * RFC 8705 section 3.1: a certificate-bound token carries `cnf["x5t#S256"]`, the base64url
 * SHA-256 of the DER client certificate it was issued to. The certificate comes from the
 * gateway (`requestContext.identity.clientCert`), which already verified the TLS handshake
 * against the truststore, so only the binding is checked here.
 */
export function certificateThumbprint(pem: string): string | undefined {
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  } catch {
    return undefined;
  }
}
