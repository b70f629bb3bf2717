import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { Contract } from 'fabric-contract-api';
import { canonicalJson } from '../src/lib/canonical-json';
import { resolvePersonDid, verifyJwtSignedByIssuer } from '../src/lib/did-jws';
import { decodeBase58btc, decodeBase64Url, encodeBase58btc } from '../src/lib/encoding';
import { LedgerError } from '../src/lib/errors';
import { isoTime, object, optional, str } from '../src/lib/validate';
import { didJwk, ed25519DidKey, signJwt } from './support/fixtures';
import { MemoryLedger } from './support/memory-ledger';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members, so every peer writes the same bytes', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined, x: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"x":2,"z":1}]},"b":1}');
  });
});

describe('encodings', () => {
  it('base58btc matches the published test vectors, including leading zero bytes', () => {
    assert.equal(encodeBase58btc(Buffer.from('Hello World!')), '2NEpo7TZRRrLZSi2U');
    assert.equal(encodeBase58btc(Buffer.from('0000287fb4cd', 'hex')), '11233QC4');
    assert.equal(decodeBase58btc('11233QC4', 'x').toString('hex'), '0000287fb4cd');
    assert.equal(decodeBase58btc('2NEpo7TZRRrLZSi2U', 'x').toString(), 'Hello World!');
    assert.throws(() => decodeBase58btc('0OIl', 'x'), LedgerError);
  });

  it('base64url refuses padding, other alphabets and non-canonical trailing bits', () => {
    assert.equal(decodeBase64Url('aGk', 'x').toString(), 'hi');
    assert.throws(() => decodeBase64Url('aGk=', 'x'), LedgerError);
    assert.throws(() => decodeBase64Url('a+/k', 'x'), LedgerError);
    assert.throws(() => decodeBase64Url('aGl', 'x'), /canonical/);
  });
});

describe('DID resolution and JWS verification', () => {
  it('resolves did:key Ed25519 with its multibase key as the verification method fragment', () => {
    const key = ed25519DidKey();
    const resolved = resolvePersonDid(key.did);
    assert.equal(resolved.algorithm, 'EdDSA');
    assert.equal(resolved.verificationMethodId, key.kid);
    assert.ok(key.did.startsWith('did:key:z6Mk'), 'Ed25519 did:key identifiers start with z6Mk');
  });

  it('refuses a did:key of another key type and a did:jwk holding a private key', () => {
    const secp = `did:key:z${encodeBase58btc(Buffer.concat([Buffer.from([0xe7, 0x01]), Buffer.alloc(33, 2)]))}`;
    assert.throws(() => resolvePersonDid(secp), /not an Ed25519 key/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const withD = `did:jwk:${Buffer.from(JSON.stringify(privateKey.export({ format: 'jwk' }))).toString('base64url')}`;
    assert.throws(() => resolvePersonDid(withD), /private key/);
  });

  it('verifies ES256 only as raw r||s, as JWS requires (a DER signature is refused)', () => {
    const signer = didJwk('P-256');
    const jwt = signJwt(signer, { iss: signer.did });
    assert.equal(verifyJwtSignedByIssuer(jwt, 'token').signer.did, signer.did);
    const [h, p] = jwt.split('.') as [string, string];
    const der = sign('sha256', Buffer.from(`${h}.${p}`), signer.privateKey).toString('base64url');
    assert.throws(() => verifyJwtSignedByIssuer(`${h}.${p}.${der}`, 'token'), /SIGNATURE_INVALID/);
  });

  it('refuses alg none and malformed tokens', () => {
    const signer = ed25519DidKey();
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: signer.kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: signer.did })).toString('base64url')}.`;
    assert.throws(() => verifyJwtSignedByIssuer(unsigned, 'token'), /SIGNATURE_INVALID/);
    assert.throws(() => verifyJwtSignedByIssuer('a.b', 'token'), /three dot-separated/);
  });
});

describe('validation layer', () => {
  it('names the field and what is expected, refuses unknown fields, and normalises times to UTC', () => {
    const check = object({ id: str({ max: 5 }), at: isoTime(), note: optional(str()) });
    assert.deepEqual(check({ id: 'a1', at: '2026-11-21T12:00:00+01:00' }, 'x'), { id: 'a1', at: '2026-11-21T11:00:00.000Z' });
    assert.throws(() => check({ id: 'toolong', at: '2026-11-21T12:00:00Z' }, 'x'), /x\.id must have at most 5 characters/);
    assert.throws(() => check({ id: 'a', at: '2026-11-21' }, 'x'), /x\.at must be an ISO 8601 date-time/);
    assert.throws(() => check({ id: 'a', at: '2026-11-21T12:00:00Z', extra: 1 }, 'x'), /x\.extra is not an accepted field/);
    assert.throws(() => check({ at: '2026-11-21T12:00:00Z' }, 'x'), /x\.id must be text/);
  });
});

class ProbeContract extends Contract {
  constructor() {
    super('Probe');
  }
  async writeThenRead(ctx: { stub: { putState(k: string, v: Uint8Array): Promise<void>; getState(k: string): Promise<Uint8Array> } }): Promise<string> {
    await ctx.stub.putState('k', Buffer.from('new'));
    return JSON.stringify({ read: Buffer.from(await ctx.stub.getState('k')).toString() });
  }
  async pageThenWrite(ctx: { stub: { getStateByRangeWithPagination(a: string, b: string, n: number, m: string): Promise<unknown>; putState(k: string, v: Uint8Array): Promise<void> } }): Promise<string> {
    await ctx.stub.getStateByRangeWithPagination('', '', 10, '');
    await ctx.stub.putState('k', Buffer.from('x'));
    return '{}';
  }
  async twoEvents(ctx: { stub: { setEvent(n: string, p: Uint8Array): void; putState(k: string, v: Uint8Array): Promise<void> } }): Promise<string> {
    await ctx.stub.putState('e', Buffer.from('1'));
    ctx.stub.setEvent('First', Buffer.from('{}'));
    ctx.stub.setEvent('Second', Buffer.from('{"n":2}'));
    return '{}';
  }
  async failAfterWrite(ctx: { stub: { putState(k: string, v: Uint8Array): Promise<void> } }): Promise<string> {
    await ctx.stub.putState('lost', Buffer.from('x'));
    throw new Error('boom');
  }
}

describe('the in-memory peer behaves like Fabric where the contracts depend on it', () => {
  it('does not let a transaction read its own writes, keeps only the last event, and drops writes of a failed transaction', async () => {
    const ledger = new MemoryLedger();
    const probe = new ProbeContract();
    ledger.state.set('k', Buffer.from('old'));
    const { value } = await ledger.invoke<{ read: string }>(probe, 'writeThenRead', [], { as: 'HospitalAMSP/clinician' });
    assert.equal(value.read, 'old');
    assert.equal(ledger.state.get('k')?.toString(), 'new');
    const events = await ledger.invoke(probe, 'twoEvents', [], { as: 'HospitalAMSP/clinician' });
    assert.deepEqual(events.event, { name: 'Second', payload: { n: 2 } });
    await assert.rejects(ledger.invoke(probe, 'failAfterWrite', [], { as: 'HospitalAMSP/clinician' }), /boom/);
    assert.equal(ledger.state.has('lost'), false);
  });

  it('refuses writes after a paginated query (Fabric allows those only in read-only transactions)', async () => {
    await assert.rejects(new MemoryLedger().invoke(new ProbeContract(), 'pageThenWrite', [], { as: 'HospitalAMSP/clinician' }), /read-only transaction/);
  });
});

describe('determinism: two endorsing peers running the same proposal write the same bytes', () => {
  it('produces identical world state, private data and events on two independent ledgers', async () => {
    const { initialisedLedger, consentJwt, fhirClaim } = await import('./support/fixtures');
    const patient = ed25519DidKey();
    const peers = [await initialisedLedger(), await initialisedLedger()];
    const { jwt } = consentJwt(patient, peers[0]!.ledger.clock);
    const claim = JSON.stringify(fhirClaim());
    const outputs: string[] = [];
    for (const { ledger, cc } of peers) {
      await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as: 'HospitalAMSP/admissions' });
      await ledger.invoke(cc.Claims!, 'submitClaim', [JSON.stringify({ claimId: 'C1', insurerMspId: 'InsurerMSP' })], { as: 'HospitalAMSP/claims', transient: { claim, fingerprintSalt: 'cd'.repeat(32) } });
      const dump = (m: Map<string, Buffer>): Array<[string, string]> => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString('base64')]);
      outputs.push(JSON.stringify({ state: dump(ledger.state), private: [...ledger.privateState.entries()].map(([c, m]) => [c, dump(m)]), events: ledger.events.map((e) => [e.name, e.payload]) }));
    }
    assert.equal(outputs[0], outputs[1]);
  });
});
