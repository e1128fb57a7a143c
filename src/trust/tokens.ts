/**
 * Access tokens: signed JWTs (jose) that carry the access context of their bearer: subject,
 * role, purpose of use and, for members, the person. Signed with ES256 by a key kept in the
 * data directory (created on first use, readable only by its owner), or with HS256 when a
 * shared secret is configured (several hub hosts verifying the same tokens).
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { LongitudeError } from '../platform/errors.ts';
import {
  createAccessContext,
  purposesOfUse,
  roles,
  type AccessContext,
  type PurposeOfUse,
  type Role,
} from './access-context.ts';

type Key = CryptoKey | KeyObject | Uint8Array;

export interface TokenKeys {
  alg: 'ES256' | 'HS256';
  signingKey: Key;
  verificationKey: Key;
  issuer: string;
}

export interface TokenRequest {
  role: Role;
  subject: string;
  personId?: string;
  purposeOfUse?: PurposeOfUse;
  /** Lifetime in seconds. */
  ttlSeconds: number;
}

/** Loads the signing key: the configured secret, or the key file in dataDir (created if absent). */
export async function loadTokenKeys(options: { dataDir: string; secret?: string; issuer: string }): Promise<TokenKeys> {
  if (options.secret) {
    const key = new TextEncoder().encode(options.secret);
    return { alg: 'HS256', signingKey: key, verificationKey: key, issuer: options.issuer };
  }
  const file = join(options.dataDir, 'keys', 'token-signing-key.json');
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: randomUUID() };
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx' fails if another process created the key meanwhile; then we read theirs.
    try {
      writeFileSync(file, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _private, ...publicJwk } = jwk;
  return {
    alg: 'ES256',
    signingKey: (await importJWK(jwk, 'ES256')) as Key,
    verificationKey: (await importJWK(publicJwk, 'ES256')) as Key,
    issuer: options.issuer,
  };
}

export async function issueToken(keys: TokenKeys, request: TokenRequest): Promise<string> {
  if (request.role === 'member' && !request.personId) {
    throw new LongitudeError('LNG_BAD_REQUEST', 'a member token needs --person (the Patient id of the member)');
  }
  return new SignJWT({
    role: request.role,
    ...(request.personId ? { person: request.personId } : {}),
    ...(request.purposeOfUse ? { pou: request.purposeOfUse } : {}),
  })
    .setProtectedHeader({ alg: keys.alg })
    .setIssuer(keys.issuer)
    .setSubject(request.subject)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.ttlSeconds)
    .sign(keys.signingKey);
}

/**
 * Payloads of tokens whose signature was checked, by token text, per key set; each is used
 * until the expiry it carries, then checked afresh (and refused). An ES256 check costs about
 * 0.3-0.4 ms of CPU: in a CPU profile of the hub serving single FHIR reads it was 1.2 s of
 * 3,000 requests, a tenth of the hub's own work per read, for a token it had already
 * verified. The text is the key, so a token differing in any byte is verified again.
 */
const verifiedTokens = new WeakMap<TokenKeys, Map<string, Record<string, unknown>>>();
const maxVerifiedTokens = 10_000;

async function verifiedPayload(keys: TokenKeys, token: string): Promise<Record<string, unknown>> {
  let cache = verifiedTokens.get(keys);
  if (!cache) verifiedTokens.set(keys, (cache = new Map()));
  const known = cache.get(token);
  if (known && !expired(known)) return known;
  cache.delete(token);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys.verificationKey, { issuer: keys.issuer, algorithms: [keys.alg] }));
  } catch (err) {
    const reason = (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid';
    throw new LongitudeError('LNG_UNAUTHENTICATED', reason, { cause: err });
  }
  cache.set(token, payload);
  // Oldest first out: a forgotten token is simply verified again.
  if (cache.size > maxVerifiedTokens) cache.delete(cache.keys().next().value!);
  return payload;
}

/** As jose judges `exp` (seconds, no clock tolerance); a token without one does not expire. */
function expired(payload: Record<string, unknown>): boolean {
  return typeof payload.exp === 'number' && payload.exp <= Math.floor(Date.now() / 1000);
}

/** Verifies a bearer token and returns the access context it carries; LNG_UNAUTHENTICATED otherwise. */
export async function verifyToken(
  keys: TokenKeys,
  token: string,
  source?: AccessContext['source'],
): Promise<AccessContext> {
  const payload = await verifiedPayload(keys, token);
  const role = payload.role as Role;
  const purpose = payload.pou as PurposeOfUse | undefined;
  if (!roles.includes(role) || (purpose !== undefined && !purposesOfUse.includes(purpose)) || typeof payload.sub !== 'string') {
    throw new LongitudeError('LNG_UNAUTHENTICATED', 'the token does not carry a known role, purpose and subject');
  }
  return createAccessContext({
    actor: { type: role === 'system' ? 'system' : 'user', id: payload.sub },
    role,
    ...(purpose ? { purposeOfUse: purpose } : {}),
    ...(typeof payload.person === 'string' ? { personId: payload.person } : {}),
    ...(source ? { source } : {}),
    ...(typeof payload.jti === 'string' ? { sessionId: payload.jti } : {}),
  });
}

/** Parses a lifetime such as `90s`, `30m`, `1h`, `7d`; undefined when it is not one. */
export function parseTtl(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return seconds > 0 && seconds <= 366 * 86400 ? seconds : undefined;
}
