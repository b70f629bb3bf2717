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
