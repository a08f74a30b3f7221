import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors';
import { assertEndpointTransport, isLoopbackHost, parseIssuer } from '../../src/providers/oidc/oidc-issuer';

function refusal(message: string): (error: unknown) => boolean {
  return (error) => error instanceof ConfigError && error.code === 'CONFIG_INVALID' && error.message === message;
}

describe('parseIssuer', () => {
  it('accepts an https issuer', () => {
    const { url, transport } = parseIssuer('https://login.example.com/tenant/v2.0', false);
    assert.equal(url.href, 'https://login.example.com/tenant/v2.0');
    assert.equal(transport, 'https');
  });

  it('accepts plain http on loopback addresses only', () => {
    for (const issuer of ['http://127.0.0.1:4000', 'http://localhost:4000/realms/test', 'http://[::1]:4000', 'http://127.8.9.10']) {
      assert.equal(parseIssuer(issuer, false).transport, 'loopback-http', issuer);
    }
  });

  it('refuses plain http elsewhere, naming the way out', () => {
    for (const issuer of ['http://idp.example.com', 'http://10.0.0.5:8080', 'http://127.0.0.1.nip.io', 'http://localhost.evil.example']) {
      assert.throws(
        () => parseIssuer(issuer, false),
        refusal(
          `the OpenID Connect issuer ${new URL(issuer).origin} is plain http on a non-loopback address; use https (or, on a closed test network only, allowInsecureHttpIssuer: true)`,
        ),
      );
    }
  });

  it('accepts plain http elsewhere only when explicitly allowed', () => {
    assert.equal(parseIssuer('http://idp.internal.example', true).transport, 'insecure-http');
  });

  it('refuses other schemes, credentials, queries and non-URLs', () => {
    assert.throws(() => parseIssuer('ftp://idp.example.com', true), refusal('the OpenID Connect issuer must be https, got ftp:'));
    assert.throws(() => parseIssuer('https://user:pw@idp.example.com', false), refusal('the OpenID Connect issuer must not hold credentials, a query or a fragment'));
    assert.throws(() => parseIssuer('https://idp.example.com/?tenant=1', false), refusal('the OpenID Connect issuer must not hold credentials, a query or a fragment'));
    assert.throws(() => parseIssuer('idp.example.com', false), refusal('the OpenID Connect issuer "idp.example.com" is not a URL'));
    assert.throws(() => parseIssuer('', false), refusal('an OpenID Connect provider needs an issuer URL'));
    assert.throws(() => parseIssuer(undefined, false), refusal('an OpenID Connect provider needs an issuer URL'));
  });
});

describe('assertEndpointTransport', () => {
  it('accepts https endpoints for any issuer', () => {
    assert.doesNotThrow(() => assertEndpointTransport('https', 'token_endpoint', 'https://idp.example.com/token'));
    assert.doesNotThrow(() => assertEndpointTransport('loopback-http', 'token_endpoint', 'https://idp.example.com/token'));
  });

  it('refuses a plain-http endpoint behind an https issuer', () => {
    assert.throws(
      () => assertEndpointTransport('https', 'token_endpoint', 'http://idp.example.com/token'),
      refusal('the discovered token_endpoint http://idp.example.com is not https'),
    );
  });

  it('lets a loopback issuer use loopback endpoints only', () => {
    assert.doesNotThrow(() => assertEndpointTransport('loopback-http', 'jwks_uri', 'http://127.0.0.1:4000/jwks'));
    assert.throws(
      () => assertEndpointTransport('loopback-http', 'authorization_endpoint', 'http://idp.example.com/auth'),
      refusal('the discovered authorization_endpoint http://idp.example.com is not https'),
    );
  });

  it('leaves an explicitly insecure issuer alone, and ignores endpoints that are not advertised', () => {
    assert.doesNotThrow(() => assertEndpointTransport('insecure-http', 'token_endpoint', 'http://idp.internal.example/token'));
    assert.doesNotThrow(() => assertEndpointTransport('https', 'userinfo_endpoint', undefined));
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback names and addresses, and nothing that merely starts like one', () => {
    assert.deepEqual(
      ['localhost', '127.0.0.1', '[::1]', 'localhost.example', '127.0.0.1.example', '0.0.0.0', '128.0.0.1'].map(isLoopbackHost),
      [true, true, true, false, false, false, false],
    );
  });
});
