import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkIssuedByOrganisation, type OrganisationCa } from '../../../src-main/session/organisation-ca';
import { makeCrl, makeIntermediateCa, makeRootCa, makeStaff, type TestCa } from './test-certificates';

const now = new Date();
let root: TestCa;
let intermediate: TestCa;

beforeAll(async () => {
  root = await makeRootCa('Hospital A Root');
  intermediate = await makeIntermediateCa(root, 'Hospital A Staff CA');
});

function org(overrides: Partial<OrganisationCa> = {}): OrganisationCa {
  return {
    mspId: 'HospitalAMSP',
    organisationName: 'Hospital A',
    rootCertificatesPem: [root.certificatePem],
    intermediateCertificatesPem: [intermediate.certificatePem],
    crlsPem: [],
    ...overrides,
  };
}

async function refusal(pem: string, o: OrganisationCa): Promise<{ code?: string; message?: string } | null> {
  try {
    await checkIssuedByOrganisation(new X509Certificate(pem), o, now);
    return null;
  } catch (err) {
    return err as { code?: string; message?: string };
  }
}

describe('the chain check of staff certificates', () => {
  it('accepts a client certificate issued by the root, and one issued through an intermediate', async () => {
    expect(await refusal((await makeStaff(root)).certificatePem, org())).toBeNull();
    expect(await refusal((await makeStaff(intermediate)).certificatePem, org())).toBeNull();
  });

  it('refuses a certificate whose intermediate is not in the MSP definition', async () => {
    const staff = await makeStaff(intermediate);
    const r = await refusal(staff.certificatePem, org({ intermediateCertificatesPem: [] }));
    expect(r).toMatchObject({ code: 'IDENTITY_UNTRUSTED' });
    expect(r?.message).toContain("This certificate was not issued by Hospital A's certificate authority");
  });

  it('refuses a certificate signed by another key that claims the same issuer name', async () => {
    const impostor = await makeRootCa('Hospital A Root'); // same subject, different key
    const r = await refusal((await makeStaff(impostor)).certificatePem, org());
    expect(r?.code).toBe('IDENTITY_UNTRUSTED');
  });

  it('refuses a chain through a CA certificate without the right to sign certificates, or not a CA at all', async () => {
    const noCertSign = await makeIntermediateCa(root, 'Hospital A Signing Only', { keyUsage: 0x80 /* digitalSignature */ });
    const r1 = await refusal((await makeStaff(noCertSign)).certificatePem, org({ intermediateCertificatesPem: [noCertSign.certificatePem] }));
    // OpenSSL's issuer check already refuses an issuer without keyCertSign; the explicit check stays as a second line.
    expect(r1?.code).toBe('IDENTITY_UNTRUSTED');
    const notCa = await makeIntermediateCa(root, 'Hospital A Not A CA', { isCa: false });
    const r2 = await refusal((await makeStaff(notCa)).certificatePem, org({ intermediateCertificatesPem: [notCa.certificatePem] }));
    expect(r2?.code).toBe('IDENTITY_UNTRUSTED');
  });

  it('refuses a chain through an expired intermediate', async () => {
    const old = await makeIntermediateCa(root, 'Hospital A Old CA', { notBefore: new Date(Date.now() - 800 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    const staff = await makeStaff(old);
    const r = await refusal(staff.certificatePem, org({ intermediateCertificatesPem: [old.certificatePem] }));
    expect(r?.message).toMatch(/certificate authority that issued this certificate is not valid now/);
  });

  it('enforces the client node OU', async () => {
    expect((await refusal((await makeStaff(root, { ou: 'peer' })).certificatePem, org()))?.message).toMatch(/node type OU=peer; staff certificates must be issued as clients/);
    expect((await refusal((await makeStaff(root, { ou: null })).certificatePem, org()))?.message).toMatch(/has no node type \(OU\)/);
    expect((await refusal((await makeStaff(root, { ou: ['client', 'peer'] })).certificatePem, org()))?.code).toBe('IDENTITY_UNTRUSTED');
    expect(await refusal((await makeStaff(root, { ou: ['client', 'ward7'] })).certificatePem, org())).toBeNull();
  });

  it('refuses a revoked certificate and a certificate under a revoked intermediate (CRLs of the MSP)', async () => {
    const staff = await makeStaff(intermediate);
    const crl = await makeCrl(intermediate, [staff.serialNumber]);
    expect((await refusal(staff.certificatePem, org({ crlsPem: [crl] })))?.message).toMatch(/This certificate was revoked by Hospital A on/);
    // Another certificate of the same CA is not affected by that CRL.
    expect(await refusal((await makeStaff(intermediate)).certificatePem, org({ crlsPem: [crl] }))).toBeNull();
    const rootCrl = await makeCrl(root, [intermediate.cert.serialNumber]);
    expect((await refusal((await makeStaff(intermediate)).certificatePem, org({ crlsPem: [rootCrl] })))?.message).toMatch(/The certificate authority that issued this certificate was revoked/);
  });

  it('refuses everything while a CRL of the configuration is not signed by the organisation (fail closed)', async () => {
    const other = await makeRootCa('Somewhere Else');
    const forgedCrl = await makeCrl(other, []);
    expect((await refusal((await makeStaff(root)).certificatePem, org({ crlsPem: [forgedCrl] })))?.message).toMatch(/revocation list \(CRL\).*cannot be read or was not signed/);
  });

  it('refuses when no root certificate is configured', async () => {
    expect((await refusal((await makeStaff(root)).certificatePem, org({ rootCertificatesPem: [] })))?.message).toMatch(/does not know Hospital A's certificate authority/);
  });
});
