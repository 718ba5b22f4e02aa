import type { ServerOptions } from 'node:https';

/**
 * TLS settings shared by the gateway and the issuer: TLS 1.2 or 1.3 only, and for TLS 1.2 only
 * forward-secret AEAD suites (what API Gateway's TLS_1_2 security policy and a strict reviewer
 * expect). TLS 1.3 suites are all strong and stay at their defaults.
 */
export const STRONG_TLS: Pick<ServerOptions, 'minVersion' | 'ciphers' | 'honorCipherOrder'> = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
};
