import { beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, issueIdentity, type DevCa, type IssuedIdentity } from '../../../ledger/devnet/src/ca';
import { parseStaffIdentity } from '../../../src-main/session/staff-certificate';

const now = new Date();
let ca: DevCa;
let clerk: IssuedIdentity;

beforeAll(async () => {
  ca = await createDevCa({ mspId: 'HospitalAMSP' });
  clerk = await issueIdentity(ca, { enrollmentId: 'sam', commonName: 'Sam Rivera', role: 'admissions' });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('staff identity import', () => {
  it('reads name, role, MSP and expiry from a Fabric-CA-shaped certificate', () => {
    const parsed = parseStaffIdentity({ ...clerk, mspId: 'HospitalAMSP' }, now);
    expect(parsed.summary).toMatchObject({ displayName: 'Sam Rivera', role: 'admissions', mspId: 'HospitalAMSP' });
    expect(parsed.summary.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(parsed.summary.notAfter)).toBeGreaterThan(now.getTime());
  });

  it('refuses a certificate that is not PEM, and a key that is not PEM', () => {
    expect(codeOf(() => parseStaffIdentity({ certificatePem: 'hello', privateKeyPem: clerk.privateKeyPem, mspId: 'M' }, now))).toBe('IDENTITY_INVALID');
    const truncated = clerk.certificatePem.slice(0, 200) + '\n-----END CERTIFICATE-----\n';
    expect(codeOf(() => parseStaffIdentity({ certificatePem: truncated, privateKeyPem: clerk.privateKeyPem, mspId: 'M' }, now))).toBe('IDENTITY_INVALID');
    expect(codeOf(() => parseStaffIdentity({ certificatePem: clerk.certificatePem, privateKeyPem: 'not a key', mspId: 'M' }, now))).toBe('IDENTITY_INVALID');
  });

  it("refuses a private key that is not the certificate's", async () => {
    const other = await issueIdentity(ca, { enrollmentId: 'jo', role: 'claims' });
    expect(() => parseStaffIdentity({ certificatePem: clerk.certificatePem, privateKeyPem: other.privateKeyPem, mspId: 'M' }, now)).toThrow(/does not belong to this certificate/);
  });

  it('refuses a certificate without a role, or with a role the workstation does not know', async () => {
    const noRole = await issueIdentity(ca, { enrollmentId: 'norole' });
    expect(() => parseStaffIdentity({ ...noRole, mspId: 'M' }, now)).toThrow(/no staff role/);
    const janitor = await issueIdentity(ca, { enrollmentId: 'jan', role: 'janitor' });
    expect(() => parseStaffIdentity({ ...janitor, mspId: 'M' }, now)).toThrow(/"janitor" is not one this workstation knows/);
  });

  it('refuses an expired certificate and one not yet valid', async () => {
    const expired = await issueIdentity(ca, {
      enrollmentId: 'old',
      role: 'clinician',
      notBefore: new Date(now.getTime() - 3 * 86_400_000),
      notAfter: new Date(now.getTime() - 86_400_000),
    });
    expect(() => parseStaffIdentity({ ...expired, mspId: 'M' }, now)).toThrow(/expired/);
    const future = await issueIdentity(ca, { enrollmentId: 'new', role: 'clinician', notBefore: new Date(now.getTime() + 86_400_000) });
    expect(() => parseStaffIdentity({ ...future, mspId: 'M' }, now)).toThrow(/only becomes valid/);
  });
});
