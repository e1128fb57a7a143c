import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { LongitudeError } from '../platform/errors.ts';
import { issueToken, loadTokenKeys, parseTtl, verifyToken } from './tokens.ts';

async function refused(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LongitudeError);
    assert.equal(err.code, 'LNG_UNAUTHENTICATED');
    return err.message;
  }
  assert.fail('expected the token to be refused');
}

describe('access tokens', () => {
  test('a token carries the access context; the key file is created once, private to its owner', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-keys-'));
    const keys = await loadTokenKeys({ dataDir, issuer: 'longitude' });
    const token = await issueToken(keys, { role: 'member', subject: 'pat', personId: 'p-1', ttlSeconds: 60 });
    const again = await loadTokenKeys({ dataDir, issuer: 'longitude' });
    const ctx = await verifyToken(again, token, { address: '127.0.0.1' });
    assert.deepEqual(
      { actor: ctx.actor, role: ctx.role, person: ctx.personId, purpose: ctx.purposeOfUse },
      { actor: { type: 'user', id: 'pat' }, role: 'member', person: 'p-1', purpose: 'PATRQT' },
    );
    assert.equal(statSync(join(dataDir, 'keys', 'token-signing-key.json')).mode & 0o777, 0o600);
  });

  test('tokens signed by another key, expired, or altered are refused', async () => {
    const keys = await loadTokenKeys({ dataDir: mkdtempSync(join(tmpdir(), 'lng-keys-')), issuer: 'longitude' });
    const other = await loadTokenKeys({ dataDir: mkdtempSync(join(tmpdir(), 'lng-keys-')), issuer: 'longitude' });
    const foreign = await issueToken(other, { role: 'admin', subject: 'x', ttlSeconds: 60 });
    assert.equal(await refused(verifyToken(keys, foreign)), 'the token is not valid');
    const expired = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('longitude')
      .setSubject('x')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(keys.signingKey);
    assert.equal(await refused(verifyToken(keys, expired)), 'the token has expired');
    const good = await issueToken(keys, { role: 'auditor', subject: 'x', ttlSeconds: 60 });
    const [header, payload, signature] = good.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url');
    await refused(verifyToken(keys, `${header}.${promoted}.${signature}`));
    await refused(verifyToken(keys, 'not-a-jwt'));
  });

  test('a token verified before is refused once it has expired (verified tokens are remembered)', async (t) => {
    const keys = await loadTokenKeys({ dataDir: mkdtempSync(join(tmpdir(), 'lng-keys-')), issuer: 'longitude' });
    const token = await issueToken(keys, { role: 'auditor', subject: 'x', ttlSeconds: 60 });
    assert.equal((await verifyToken(keys, token)).role, 'auditor');
    assert.equal((await verifyToken(keys, token, { address: '10.0.0.9' })).source?.address, '10.0.0.9');
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 61_000 });
    assert.equal(await refused(verifyToken(keys, token)), 'the token has expired');
  });

  test('a token with an unknown role is refused even when signed', async () => {
    const keys = await loadTokenKeys({ dataDir: mkdtempSync(join(tmpdir(), 'lng-keys-')), issuer: 'longitude', secret: 'x'.repeat(32) });
    const odd = await new SignJWT({ role: 'superuser' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('longitude').setSubject('x').setExpirationTime('1h').sign(keys.signingKey);
    assert.match(await refused(verifyToken(keys, odd)), /known role/);
  });

  test('a member token needs a person', async () => {
    const keys = await loadTokenKeys({ dataDir: mkdtempSync(join(tmpdir(), 'lng-keys-')), issuer: 'longitude' });
    await assert.rejects(issueToken(keys, { role: 'member', subject: 'x', ttlSeconds: 60 }), /--person/);
  });

  test('lifetimes', () => {
    assert.deepEqual(['90s', '30m', '1h', '7d'].map(parseTtl), [90, 1800, 3600, 604800]);
    assert.deepEqual(['', '1', 'h', '0s', '1y', '-1h', '400d'].map(parseTtl), Array(7).fill(undefined));
  });
});
