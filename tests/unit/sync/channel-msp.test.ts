/**
 * The comparison behind the channel cross-check of the configured MSP definition (issue 15
 * item 1): certificates compare by their bytes, not by PEM layout; a different or missing root
 * or intermediate is a mismatch; only the channel's CRLs the configuration lacks are added.
 */
import { describe, expect, it } from 'vitest';
import { buildChannelConfig } from '../../../ledger/devnet/src/channel-config';
import { channelMspOf, compareWithChannel, withChannelCrls } from '../../../src-main/ledger/channel-msp';
import type { OrganisationCa } from '../../../src-main/session/organisation-ca';
import { makeCrl, makeIntermediateCa, makeRootCa } from '../session/test-certificates';

const now = new Date('2026-12-06T12:00:00Z');

/** The same PEM re-wrapped at 76 columns with CRLF line ends. */
function rewrap(pem: string): string {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\r\n${body.match(/.{1,76}/g)?.join('\r\n') ?? ''}\r\n-----END CERTIFICATE-----\r\n`;
}

describe('the configured MSP definition against the channel', () => {
  it('matches the same certificates in another PEM layout, and adds only the CRLs the configuration lacks', async () => {
    const root = await makeRootCa('HospitalAMSP');
    const inter = await makeIntermediateCa(root, 'HospitalAMSP ica');
    const known = await makeCrl(root, ['1001']);
    const fresh = await makeCrl(root, ['1002']);
    const configured: OrganisationCa = { mspId: 'HospitalAMSP', organisationName: 'Hospital A', rootCertificatesPem: [rewrap(root.certificatePem)], intermediateCertificatesPem: [inter.certificatePem], crlsPem: [known] };
    const config = buildChannelConfig([{ mspId: 'HospitalAMSP', rootCertificatesPem: [root.certificatePem], intermediateCertificatesPem: [inter.certificatePem], crlsPem: [known, fresh] }]);
    const check = compareWithChannel(configured, channelMspOf(config, 'HospitalAMSP'), now);
    expect(check).toEqual({ status: 'match', checkedAt: now.toISOString(), channelCrlsPem: [fresh] });
    expect(withChannelCrls(configured, check).crlsPem).toEqual([known, fresh]);
  });

  it('is a mismatch when a root or an intermediate differs, or the channel does not know the organisation', async () => {
    const root = await makeRootCa('HospitalAMSP');
    const other = await makeRootCa('HospitalAMSP');
    const inter = await makeIntermediateCa(root, 'HospitalAMSP ica');
    const configured: OrganisationCa = { mspId: 'HospitalAMSP', organisationName: 'Hospital A', rootCertificatesPem: [root.certificatePem], intermediateCertificatesPem: [], crlsPem: [] };
    const sentence = "The certificate authorities configured for this workstation do not match Hospital A's definition on the ledger: ask IT to update the connection file.";
    const channel = (roots: string[], inters: string[], mspId = 'HospitalAMSP') =>
      channelMspOf(buildChannelConfig([{ mspId, rootCertificatesPem: roots, intermediateCertificatesPem: inters, crlsPem: [] }]), 'HospitalAMSP');
    for (const theirs of [channel([other.certificatePem], []), channel([root.certificatePem, other.certificatePem], []), channel([root.certificatePem], [inter.certificatePem]), channel([root.certificatePem], [], 'HospitalBMSP')]) {
      const check = compareWithChannel(configured, theirs, now);
      expect(check).toEqual({ status: 'mismatch', checkedAt: now.toISOString(), message: sentence });
      expect(withChannelCrls(configured, check)).toBe(configured);
    }
  });
});
