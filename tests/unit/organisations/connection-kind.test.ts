/**
 * The connection file's `organisationKind`: what a workstation enrols before it has read the
 * Governance registry. Absent means a hospital (files written before other kinds existed); a word
 * that is not a kind is refused with where it is wrong.
 */
import { describe, expect, it } from 'vitest';
import { parseConnectionFile, settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';

const ROOT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function file(extra: Record<string, unknown>): string {
  return JSON.stringify({
    format: 'careledger-connection/1',
    endpoint: 'peer0.insurer.example.org:7051',
    channel: 'careledger',
    chaincode: 'careledger',
    mspId: 'InsurerMSP',
    msp: { organisationName: 'Insurer', rootCertificatesPem: [ROOT] },
    ...extra,
  });
}

describe('organisationKind in the ledger configuration', () => {
  it("carries the connection file's kind to the organisation's MSP definition", async () => {
    const settings = await parseConnectionFile(file({ organisationKind: 'insurer' }), '/nowhere');
    expect(settings.organisationCa).toMatchObject({ mspId: 'InsurerMSP', organisationName: 'Insurer', organisationKind: 'insurer' });
  });

  it('leaves it unset when the file does not say (the workstation then counts as a hospital)', async () => {
    const settings = await parseConnectionFile(file({}), '/nowhere');
    expect(settings.organisationCa?.organisationKind).toBeUndefined();
  });

  it('refuses a word that is not a kind of organisation, naming the field', async () => {
    await expect(parseConnectionFile(file({ organisationKind: 'pharmacy' }), '/nowhere')).rejects.toThrow(/organisationKind/);
  });

  it("takes the devnet bundle's kind for the chosen organisation", () => {
    const bundle = {
      endpoint: '127.0.0.1:7051',
      channel: 'careledger',
      chaincode: 'careledger',
      identities: [],
      orgs: [
        { mspId: 'HospitalAMSP', kind: 'hospital', displayName: 'Hospital A', caCertificatePem: ROOT },
        { mspId: 'GovernanceMSP', kind: 'governance', displayName: 'CareLedger Governance', caCertificatePem: ROOT },
      ],
    };
    expect(settingsFromDevnetBundle(bundle, { mspId: 'GovernanceMSP' }).organisationCa).toMatchObject({ organisationKind: 'governance', organisationName: 'CareLedger Governance' });
    expect(settingsFromDevnetBundle(bundle, { mspId: 'HospitalAMSP' }).organisationCa?.organisationKind).toBe('hospital');
  });
});
