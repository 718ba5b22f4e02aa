import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

const auth = (env: Record<string, string>) => readConfig({ AUTH_ISSUER: 'https://issuer.example', ...env }).auth;

describe('issuer configuration', () => {
  it('requires an audience unless the issuer is declared Cognito: a client list alone does not do', () => {
    expect(() => auth({ AUTH_CLIENT_IDS: 'app' })).toThrow('Missing required configuration AUTH_AUDIENCE');
    expect(auth({ AUTH_AUDIENCE: 'https://api.example', AUTH_CLIENT_IDS: 'app' })).toMatchObject({ issuerKind: 'oidc', audience: 'https://api.example', clientIds: ['app'] });
  });

  it('takes a Cognito issuer without an audience, only with the clients it accepts', () => {
    expect(auth({ AUTH_ISSUER_KIND: 'cognito', AUTH_CLIENT_IDS: 'a, b' })).toMatchObject({ issuerKind: 'cognito', audience: null, clientIds: ['a', 'b'] });
    expect(() => auth({ AUTH_ISSUER_KIND: 'cognito' })).toThrow('A Cognito issuer needs AUTH_CLIENT_IDS');
    expect(() => auth({ AUTH_ISSUER_KIND: 'cognito', AUTH_CLIENT_IDS: 'a', AUTH_AUDIENCE: 'https://api.example' })).toThrow('unset AUTH_AUDIENCE');
    expect(() => auth({ AUTH_ISSUER_KIND: 'Cognito', AUTH_CLIENT_IDS: 'a' })).toThrow('AUTH_ISSUER_KIND must be one of oidc, cognito');
  });

  it('accepts only RFC 9068 typed tokens unless a deployer opts into legacy typ', () => {
    const base = { AUTH_AUDIENCE: 'https://api.example' };
    expect(auth(base).legacyTokenTypes).toBe(false);
    expect(auth({ ...base, AUTH_ALLOW_LEGACY_TYP: 'true' }).legacyTokenTypes).toBe(true);
    expect(() => auth({ ...base, AUTH_ALLOW_LEGACY_TYP: 'yes' })).toThrow('AUTH_ALLOW_LEGACY_TYP must be one of true, false');
  });

  it('leaves the JWKS location to discovery unless AUTH_JWKS_URI names it', () => {
    expect(auth({ AUTH_AUDIENCE: 'https://api.example' }).jwksUri).toBeUndefined();
    expect(auth({ AUTH_AUDIENCE: 'https://api.example', AUTH_JWKS_URI: 'https://keys.example/jwks' }).jwksUri).toBe('https://keys.example/jwks');
  });

  it('keeps plain bearer tokens unless a stage asks for DPoP or certificate-bound tokens', () => {
    const base = { AUTH_AUDIENCE: 'https://api.example' };
    expect(auth(base).senderConstraint).toBe('none');
    expect(auth({ ...base, AUTH_SENDER_CONSTRAINT: 'dpop' }).senderConstraint).toBe('dpop');
    expect(auth({ ...base, AUTH_SENDER_CONSTRAINT: 'mtls' }).senderConstraint).toBe('mtls');
    expect(() => auth({ ...base, AUTH_SENDER_CONSTRAINT: 'DPoP' })).toThrow('AUTH_SENDER_CONSTRAINT must be one of none, dpop, mtls');
  });
});
