import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { findCompactJws, jwkBelongsTo, verifyJwsApproval } from '../../src/approval/jws-approval.js';

describe('JWS approvals', () => {
  const statement = Buffer.from('{"approver":{"id":103,"login":"carol"},"type":"model-release-approval","v":1}');

  it('verifies ES256 with the key whose kid names the login; any other payload byte fails', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'Carol' }] };
    const token = await new CompactSign(statement).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expect(await verifyJwsApproval(token, statement, 'carol', jwks)).toMatchObject({ valid: true, alg: 'ES256', fingerprint: expect.stringMatching(/^jwk-thumbprint:/) });
    const other = Buffer.from(statement.toString().replace('103', '104'));
    expect(await verifyJwsApproval(token, other, 'carol', jwks)).toMatchObject({ valid: false, reason: expect.stringContaining('payload is not the statement') });
    // A token whose payload was swapped (signature kept) fails the signature check.
    const [h, , s] = token.split('.');
    const swapped = `${h}.${other.toString('base64url')}.${s}`;
    expect(await verifyJwsApproval(swapped, other, 'carol', jwks)).toMatchObject({ valid: false, reason: expect.stringContaining('does not verify') });
  });

  it('refuses symmetric and "none" algorithms whatever the JWKS holds', async () => {
    const secret = new Uint8Array(32).fill(7);
    const hs = await new CompactSign(statement).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const jwks = { keys: [{ kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'carol' }] };
    expect(await verifyJwsApproval(hs, statement, 'carol', jwks)).toMatchObject({ valid: false, reason: expect.stringContaining('HS256 is not allowed') });
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${statement.toString('base64url')}.`;
    expect(await verifyJwsApproval(none, statement, 'carol', jwks)).toMatchObject({ valid: false });
  });

  it('finds compact tokens on lines of their own only; kid ownership is login or login/suffix', () => {
    expect(findCompactJws('ok\n  eyJhbGciOiJFUzI1NiJ9.eyJ2IjoxfQ.c2ln  \nsee eyJa.eyJb.c')).toEqual(['eyJhbGciOiJFUzI1NiJ9.eyJ2IjoxfQ.c2ln']);
    expect([jwkBelongsTo({ kid: 'carol' }, 'carol'), jwkBelongsTo({ kid: 'carol/hsm-2' }, 'CAROL'), jwkBelongsTo({ kid: 'carolyn' }, 'carol'), jwkBelongsTo({}, 'carol')]).toEqual([true, true, false, false]);
  });
});
