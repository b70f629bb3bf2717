import { createPrivateKey, sign } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DevCa, createDevCa, issueIdentity } from '../../../ledger/devnet/src/ca';
import { Membership, READERS, Signer, WRITERS, requireNodeOU, toLowS } from '../../../ledger/devnet/src/identity';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function creator(mspId: string, certificatePem: string): Uint8Array {
  const sid = new msp.SerializedIdentity();
  sid.setMspid(mspId);
  sid.setIdBytes(Buffer.from(certificatePem));
  return sid.serializeBinary();
}

/** Rewrites a low-S DER signature to its high-S twin (still mathematically valid). */
function toHighS(der: Uint8Array): Buffer {
  const rLen = der[3] ?? 0;
  const r = Buffer.from(der.subarray(4, 4 + rLen));
  const sLen = der[5 + rLen] ?? 0;
  const s = BigInt('0x' + Buffer.from(der.subarray(6 + rLen, 6 + rLen + sLen)).toString('hex'));
  let hex = (N - s).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let sBytes = Buffer.from(hex, 'hex');
  if ((sBytes[0] ?? 0) & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('membership checks', () => {
  let ca: DevCa;
  let membership: Membership;
  let clerk: { certificatePem: string; privateKeyPem: string };

  beforeAll(async () => {
    ca = await createDevCa({ mspId: 'HospitalAMSP' });
    membership = new Membership([{ mspId: 'HospitalAMSP', caCertificatePem: ca.certificatePem }]);
    clerk = await issueIdentity(ca, { enrollmentId: 'clerk', role: 'admissions' });
  });

  it('accepts a low-S signature by a certificate of the org CA, with its node OU', () => {
    const data = Buffer.from('proposal bytes');
    const signature = toLowS(sign('sha256', data, createPrivateKey(clerk.privateKeyPem)));
    const identity = membership.verify(creator('HospitalAMSP', clerk.certificatePem), data, signature);
    expect(identity).toMatchObject({ mspId: 'HospitalAMSP', ou: 'client', commonName: 'clerk' });
  });

  it('refuses the high-S form of the same signature, and a signature over other bytes', () => {
    const data = Buffer.from('proposal bytes');
    const low = toLowS(sign('sha256', data, createPrivateKey(clerk.privateKeyPem)));
    const id = creator('HospitalAMSP', clerk.certificatePem);
    expect(() => membership.verify(id, data, toHighS(low))).toThrowError(
      expect.objectContaining({ code: 'BAD_SIGNATURE' }) as Error,
    );
    expect(() => membership.verify(id, Buffer.from('other bytes'), low)).toThrowError(
      expect.objectContaining({ code: 'BAD_SIGNATURE' }) as Error,
    );
  });

  it('refuses unknown orgs, certificates of another CA, and expired certificates', async () => {
    expect(() => membership.deserialize(creator('OtherMSP', clerk.certificatePem))).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_MSP' }) as Error,
    );
    const rogue = await issueIdentity(await createDevCa({ mspId: 'HospitalAMSP' }), { enrollmentId: 'rogue' });
    expect(() => membership.deserialize(creator('HospitalAMSP', rogue.certificatePem))).toThrowError(
      expect.objectContaining({ code: 'UNTRUSTED_CERTIFICATE' }) as Error,
    );
    const old = await issueIdentity(ca, {
      enrollmentId: 'old',
      notBefore: new Date(Date.now() - 2 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(() => membership.deserialize(creator('HospitalAMSP', old.certificatePem))).toThrowError(
      expect.objectContaining({ code: 'EXPIRED_CERTIFICATE' }) as Error,
    );
  });

  it('enforces NodeOUs: a certificate without a node OU is not an identity at all (issue 15 items 1 and 8)', async () => {
    const noOu = await issueIdentity(ca, { enrollmentId: 'no-ou', role: 'admissions', ou: null });
    expect(() => membership.deserialize(creator('HospitalAMSP', noOu.certificatePem))).toThrowError(
      expect.objectContaining({
        code: 'MALFORMED_IDENTITY',
        message: expect.stringMatching(/carries no node OU/) as string,
      }) as Error,
    );
  });

  it('lets clients and admins write, and peers only read: a peer certificate is not a client', async () => {
    const as = async (ou: 'client' | 'peer' | 'admin' | 'orderer') =>
      membership.deserialize(
        creator('HospitalAMSP', (await issueIdentity(ca, { enrollmentId: `as-${ou}`, ou })).certificatePem),
      );
    for (const ou of ['client', 'admin'] as const) {
      const identity = await as(ou);
      expect(() => requireNodeOU(identity, WRITERS, 'Writers')).not.toThrow();
    }
    const peer = await as('peer');
    expect(() => requireNodeOU(peer, WRITERS, 'Writers')).toThrowError(
      expect.objectContaining({
        code: 'ACCESS_DENIED',
        message: expect.stringMatching(/check policy \[\/Channel\/Application\/Writers\]/) as string,
      }) as Error,
    );
    expect(() => requireNodeOU(peer, READERS, 'Readers')).not.toThrow();
    const orderer = await as('orderer');
    expect(() => requireNodeOU(orderer, READERS, 'Readers')).toThrowError(
      expect.objectContaining({ code: 'ACCESS_DENIED' }) as Error,
    );
  });

  it('a peer Signer always produces low-S signatures that verify', async () => {
    const peer = await issueIdentity(ca, { enrollmentId: 'peer0', ou: 'peer' });
    const signer = new Signer('HospitalAMSP', peer.certificatePem, peer.privateKeyPem);
    for (let i = 0; i < 20; i++) {
      const data = Buffer.from(`block ${i}`);
      const sig = signer.sign(data);
      expect(membership.verify(signer.serializedIdentity, data, sig).ou).toBe('peer');
    }
  });
});

describe('signatures checked once (issue 14: verification off the hot path)', () => {
  let ca: DevCa;
  let clerk: { certificatePem: string; privateKeyPem: string };
  let id: Uint8Array;

  beforeAll(async () => {
    ca = await createDevCa({ mspId: 'HospitalAMSP' });
    clerk = await issueIdentity(ca, { enrollmentId: 'clerk', role: 'admissions' });
    id = creator('HospitalAMSP', clerk.certificatePem);
  });

  const fresh = (): Membership => new Membership([{ mspId: 'HospitalAMSP', caCertificatePem: ca.certificatePem }]);

  it('the thread-pool check accepts what the inline check accepts and refuses high-S, other bytes, another signer', async () => {
    const membership = fresh();
    const data = Buffer.from('envelope payload');
    const low = toLowS(sign('sha256', data, createPrivateKey(clerk.privateKeyPem)));
    expect((await membership.verifyAsync(id, data, low, undefined, { pool: true })).commonName).toBe('clerk');
    const bad = { code: 'BAD_SIGNATURE' };
    await expect(fresh().verifyAsync(id, data, toHighS(low), undefined, { pool: true })).rejects.toMatchObject(bad);
    await expect(
      fresh().verifyAsync(id, Buffer.from('envelope payloae'), low, undefined, { pool: true }),
    ).rejects.toMatchObject(bad);
    const other = await issueIdentity(ca, { enrollmentId: 'other' });
    const otherSig = toLowS(sign('sha256', data, createPrivateKey(other.privateKeyPem)));
    await expect(fresh().verifyAsync(id, data, otherSig, undefined, { pool: true })).rejects.toMatchObject(bad);
    await expect(
      fresh().verifyAsync(id, data, Buffer.from('not a signature'), undefined, { pool: true }),
    ).rejects.toMatchObject(bad);
  });

  it('a remembered good signature does not vouch for other bytes, another creator or its high-S twin', async () => {
    const membership = fresh();
    const data = Buffer.from('payload A');
    const low = toLowS(sign('sha256', data, createPrivateKey(clerk.privateKeyPem)));
    await membership.preverify([{ creator: id, data, signature: low }]);
    expect(membership.verify(id, data, low).commonName).toBe('clerk');
    const bad = expect.objectContaining({ code: 'BAD_SIGNATURE' }) as Error;
    expect(() => membership.verify(id, Buffer.from('payload B'), low)).toThrowError(bad);
    expect(() => membership.verify(id, data, toHighS(low))).toThrowError(bad);
    const other = await issueIdentity(ca, { enrollmentId: 'other2' });
    expect(() => membership.verify(creator('HospitalAMSP', other.certificatePem), data, low)).toThrowError(bad);
  });

  it('a bad signature is never remembered: preverify then verify still refuses it, every time', async () => {
    const membership = fresh();
    const data = Buffer.from('payload');
    const wrong = toLowS(sign('sha256', Buffer.from('other payload'), createPrivateKey(clerk.privateKeyPem)));
    await membership.preverify([{ creator: id, data, signature: wrong }]);
    for (let i = 0; i < 2; i++)
      expect(() => membership.verify(id, data, wrong)).toThrowError(
        expect.objectContaining({ code: 'BAD_SIGNATURE' }) as Error,
      );
  });

  it('a remembered signature still goes through the identity checks: an expired certificate is refused', () => {
    const membership = fresh();
    const data = Buffer.from('payload');
    const low = toLowS(sign('sha256', data, createPrivateKey(clerk.privateKeyPem)));
    membership.verify(id, data, low);
    const later = new Date(Date.now() + 20 * 365 * 86_400_000);
    expect(() => membership.verify(id, data, low, later)).toThrowError(
      expect.objectContaining({ code: 'EXPIRED_CERTIFICATE' }) as Error,
    );
  });

  it('a peer Signer on the thread pool also produces low-S signatures that verify', async () => {
    const membership = fresh();
    const peer = await issueIdentity(ca, { enrollmentId: 'peer2', ou: 'peer' });
    const signer = new Signer('HospitalAMSP', peer.certificatePem, peer.privateKeyPem);
    for (let i = 0; i < 20; i++) {
      const data = Buffer.from(`response ${i}`);
      const sig = await signer.signAsync(data, { pool: true });
      expect(membership.verify(signer.serializedIdentity, data, sig).ou).toBe('peer');
    }
  });

  it("the devnet's own peer signatures, once recorded, verify without a second ECDSA check and only for what was signed", async () => {
    const membership = fresh();
    const peer = await issueIdentity(ca, { enrollmentId: 'peer1', ou: 'peer' });
    const signer = new Signer('HospitalAMSP', peer.certificatePem, peer.privateKeyPem);
    const data = Buffer.from('proposal response payload');
    const sig = signer.sign(data);
    membership.signedBy(signer.serializedIdentity, data, sig);
    expect(membership.verify(signer.serializedIdentity, data, sig).ou).toBe('peer');
    expect(() => membership.verify(signer.serializedIdentity, Buffer.from('altered payload'), sig)).toThrowError(
      expect.objectContaining({ code: 'BAD_SIGNATURE' }) as Error,
    );
  });
});
