import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_FILE_FORMAT, DEFAULT_DEADLINES, parseConnectionFile, settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';

const CA = '-----BEGIN CERTIFICATE-----\nTLSCA\n-----END CERTIFICATE-----\n';

async function codeAndMessage(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a failure');
}

describe('ledger connection file', () => {
  it('reads inline PEMs and per-call deadlines, with defaults for the missing ones', async () => {
    const text = JSON.stringify({
      format: CONNECTION_FILE_FORMAT,
      endpoint: 'peer0.hospital-a.example.org:7051',
      tlsCaCertificatePem: CA,
      hostnameOverride: 'peer0.hospital-a.example.org',
      channel: 'careledger',
      chaincode: 'careledger',
      mspId: 'HospitalAMSP',
      deadlinesMs: { endorse: 20_000 },
    });
    const settings = await parseConnectionFile(text, '/nowhere');
    expect(settings).toEqual({
      endpoint: 'peer0.hospital-a.example.org:7051',
      tlsCaCertificatePem: CA,
      hostnameOverride: 'peer0.hospital-a.example.org',
      channel: 'careledger',
      chaincode: 'careledger',
      mspId: 'HospitalAMSP',
      deadlines: { ...DEFAULT_DEADLINES, endorseMs: 20_000 },
    });
  });

  it('reads the TLS CA, certificate and key from files next to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'careledger-conn-'));
    writeFileSync(path.join(dir, 'tls.pem'), CA);
    writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
    writeFileSync(path.join(dir, 'key.pem'), 'KEY');
    const text = JSON.stringify({
      format: CONNECTION_FILE_FORMAT,
      endpoint: 'localhost:7051',
      tlsCaCertificateFile: 'tls.pem',
      channel: 'c',
      chaincode: 'cc',
      mspId: 'HospitalBMSP',
      identity: { certificateFile: 'cert.pem', privateKeyFile: 'key.pem' },
    });
    const settings = await parseConnectionFile(text, dir);
    expect(settings.tlsCaCertificatePem).toBe(CA);
    expect(settings.identity).toEqual({ certificatePem: 'CERT', privateKeyPem: 'KEY' });
  });

  it('refuses a file that is not JSON, has unknown fields, a bad endpoint, or half an identity, saying what is wrong', async () => {
    expect(await codeAndMessage(parseConnectionFile('{', '/'))).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not valid JSON/) });
    const base = { format: CONNECTION_FILE_FORMAT, endpoint: 'h:1', channel: 'c', chaincode: 'cc', mspId: 'M' };
    expect(await codeAndMessage(parseConnectionFile(JSON.stringify({ ...base, surprise: 1 }), '/'))).toMatchObject({ code: 'VALIDATION' });
    expect(await codeAndMessage(parseConnectionFile(JSON.stringify({ ...base, endpoint: 'no port' }), '/'))).toMatchObject({ message: expect.stringMatching(/endpoint/) });
    expect(await codeAndMessage(parseConnectionFile(JSON.stringify({ ...base, identity: { certificatePem: 'C' } }), '/'))).toMatchObject({
      message: expect.stringMatching(/both its certificate and its private key/),
    });
    expect(await codeAndMessage(parseConnectionFile(JSON.stringify({ ...base, tlsCaCertificateFile: 'missing.pem' }), '/nowhere'))).toMatchObject({
      message: expect.stringMatching(/missing\.pem/),
    });
  });

  it('builds settings from the devnet bundle, with or without a fixed identity', () => {
    const bundle = {
      endpoint: '127.0.0.1:7051',
      tlsCaCertificatePem: CA,
      hostnameOverride: 'localhost',
      channel: 'careledger',
      chaincode: 'careledger',
      identities: [{ name: 'hospital-a-admissions', mspId: 'HospitalAMSP', certificatePem: 'C', privateKeyPem: 'K' }],
    };
    expect(settingsFromDevnetBundle(bundle, { mspId: 'HospitalAMSP' })).toEqual({
      endpoint: '127.0.0.1:7051',
      tlsCaCertificatePem: CA,
      hostnameOverride: 'localhost',
      channel: 'careledger',
      chaincode: 'careledger',
      mspId: 'HospitalAMSP',
      deadlines: DEFAULT_DEADLINES,
    });
    expect(settingsFromDevnetBundle(bundle, { mspId: 'HospitalAMSP', identityName: 'hospital-a-admissions' }).identity).toEqual({ certificatePem: 'C', privateKeyPem: 'K' });
    expect(() => settingsFromDevnetBundle(bundle, { mspId: 'X', identityName: 'nobody' })).toThrow(/no identity named nobody/);
    // The bundle's MSP definition of the workstation's organisation: whose staff may enrol.
    const withOrgs = { ...bundle, orgs: [{ mspId: 'HospitalAMSP', kind: 'hospital', displayName: 'Hospital A', caCertificatePem: 'ROOT-A' }, { mspId: 'InsurerMSP', caCertificatePem: 'ROOT-I' }] };
    expect(settingsFromDevnetBundle(withOrgs, { mspId: 'HospitalAMSP' }).organisationCa).toEqual({
      mspId: 'HospitalAMSP',
      organisationName: 'Hospital A',
      rootCertificatesPem: ['ROOT-A'],
      intermediateCertificatesPem: [],
      crlsPem: [],
      // The bundle says what kind of organisation it is: which roles it enrols.
      organisationKind: 'hospital',
    });
  });

  it("reads the organisation's MSP definition from a Fabric MSP folder or from listed files, the MSP ID from the file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'careledger-msp-'));
    const mkdir = (sub: string): string => {
      const p = path.join(dir, 'msp', sub);
      mkdirSync(p, { recursive: true });
      return p;
    };
    writeFileSync(path.join(mkdir('cacerts'), 'ca.pem'), 'ROOT');
    writeFileSync(path.join(mkdir('intermediatecerts'), 'ica.pem'), 'INTERMEDIATE');
    writeFileSync(path.join(mkdir('crls'), 'crl.pem'), 'CRL');
    writeFileSync(path.join(dir, 'extra-root.pem'), 'ROOT2');
    const base = { format: CONNECTION_FILE_FORMAT, endpoint: 'peer0:7051', channel: 'c', chaincode: 'cc', mspId: 'HospitalAMSP' };
    const fromDir = await parseConnectionFile(JSON.stringify({ ...base, msp: { organisationName: 'Hospital A', directory: 'msp', rootCertificateFiles: ['extra-root.pem'] } }), dir);
    expect(fromDir.organisationCa).toEqual({
      mspId: 'HospitalAMSP',
      organisationName: 'Hospital A',
      rootCertificatesPem: ['ROOT', 'ROOT2'],
      intermediateCertificatesPem: ['INTERMEDIATE'],
      crlsPem: ['CRL'],
    });
    const inline = await parseConnectionFile(JSON.stringify({ ...base, msp: { rootCertificatesPem: ['R'], crlsPem: ['L'] } }), dir);
    expect(inline.organisationCa).toMatchObject({ organisationName: 'HospitalAMSP', rootCertificatesPem: ['R'], crlsPem: ['L'] });
    expect((await parseConnectionFile(JSON.stringify(base), dir)).organisationCa).toBeUndefined();
    expect(await codeAndMessage(parseConnectionFile(JSON.stringify({ ...base, msp: { directory: 'nothing-here' } }), dir))).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/"msp" section without any root certificate/),
    });
  });
});
