import type { JsonWebKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsentGrantSubject,
  decodeStatusList,
  getStatusBit,
  InsuranceCoverageSubject,
  MedicalLicenseSubject,
  PatientIdentitySubject,
  BoardCertificationSubject,
  SpecialtySubject,
} from '../../../src-shared/identity';
import { decodeWalletQr, WalletQrCollector } from '../../../src-shared/walletqr';
import { runWalletCli } from '../../../tools/wallet/commands';
import { decodeJwtHeader, decodeJwtPayload, publicJwkFromDid, verifyJwt } from '../../../tools/wallet/keys';
import type { ExportedStatusList, StoredCredential } from '../../../tools/wallet/store';

let home: string;
let didDocs: Record<string, { verificationMethod: { id: string; publicKeyJwk: JsonWebKey }[] }>;

/** The fields of the CLI's --json outputs these tests read. */
interface CliJson {
  did: string;
  issuers: { did: string }[];
  credentials: StoredCredential[];
  codes: string[];
  qrVersions: number[];
  pngFiles: string[];
  jwt: string;
  consentId: string;
}

async function wallet(args: string[]): Promise<{ code: number; out: string; err: string; json: CliJson }> {
  let out = '';
  let err = '';
  const code = await runWalletCli([...args, '--home', home, '--json'], { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n') });
  let json = {} as CliJson;
  try {
    json = JSON.parse(out) as CliJson;
  } catch {
    // Error paths print nothing on stdout; their tests read `err`.
  }
  return { code, out, err, json };
}

/** Verifies a JWT with the key its header names: the DID document for did:web, else the DID itself. */
function verifiesWithItsKid(jwt: string): boolean {
  const kid = decodeJwtHeader(jwt)['kid'] as string;
  const did = kid.split('#')[0] as string;
  expect(decodeJwtPayload(jwt)['iss']).toBe(did);
  const key = did.startsWith('did:web:') ? didDocs[did]?.verificationMethod.find((m) => m.id === kid)?.publicKeyJwk : publicJwkFromDid(did);
  if (!key) return false;
  return verifyJwt(jwt, key);
}

const SUBJECT_SCHEMAS = {
  PatientIdentityCredential: PatientIdentitySubject,
  InsuranceCoverageCredential: InsuranceCoverageSubject,
  ConsentGrantCredential: ConsentGrantSubject,
  MedicalLicenseCredential: MedicalLicenseSubject,
  SpecialtyCredential: SpecialtySubject,
  BoardCertificationCredential: BoardCertificationSubject,
} as const;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'careledger-wallet-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('npm run wallet', () => {
  it('prints help that walks a newcomer through a patient, a doctor and their QR codes', async () => {
    let out = '';
    expect(await runWalletCli(['--help'], { out: (l) => (out += l), err: () => undefined })).toBe(0);
    for (const words of ['demo', 'new-patient', 'new-doctor', 'present', 'consent', 'revoke', 'suspend', 'status-list']) expect(out).toContain(words);
  });

  it('refuses to make a patient before the issuers exist, with a hint', async () => {
    const r = await wallet(['new-patient', '--name', 'Too Early', '--birth-date', '1990-01-01']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('init-issuers');
  });

  it('creates did:web issuers with DID documents for the offline cache and trust registry rows', async () => {
    const r = await wallet(['init-issuers']);
    expect(r.code).toBe(0);
    expect(r.json.issuers.map((i) => i.did)).toEqual([
      'did:web:identity.careledger.example',
      'did:web:insurer.careledger.example',
      'did:web:board.careledger.example',
    ]);
    didDocs = JSON.parse(await readFile(path.join(home, 'did-web', 'did-documents.json'), 'utf8')) as typeof didDocs;
    const cached = JSON.parse(await readFile(path.join(home, 'did-web', 'cache', `${encodeURIComponent('did:web:insurer.careledger.example')}.json`), 'utf8'));
    expect(cached).toEqual(didDocs['did:web:insurer.careledger.example']);
    const registry = JSON.parse(await readFile(path.join(home, 'issuers', 'trust-registry.json'), 'utf8')) as { issuerDid: string; credentialTypes: string[] }[];
    expect(registry.find((e) => e.issuerDid === 'did:web:board.careledger.example')?.credentialTypes).toContain('MedicalLicenseCredential');
    expect((await wallet(['init-issuers'])).code).toBe(2); // never silently replaces issuer keys
  });

  it('makes a patient whose credentials are signed by the issuers and match the agreed schemas', async () => {
    const r = await wallet(['new-patient', '--name', 'Maria Oliveira', '--birth-date', '1984-03-02', '--gender', 'female', '--address', '1 Main St;Springfield;SP1 2AB;GB']);
    expect(r.code).toBe(0);
    expect(r.json.did).toMatch(/^did:key:z6Mk/);
    const c = await wallet(['consent', '--wallet', 'maria-oliveira', '--purpose', 'TREAT,HPAYMT', '--categories', 'demographics,conditions']);
    expect(c.code).toBe(0);
    const list = await wallet(['list', '--wallet', 'maria-oliveira']);
    const creds = list.json.credentials;
    expect(creds.map((x) => x.type).sort()).toEqual(['ConsentGrantCredential', 'InsuranceCoverageCredential', 'PatientIdentityCredential']);
    const consent = c.json as unknown as StoredCredential;
    const payload = decodeJwtPayload(consent.jwt) as { iss: string; sub: string; vc: { credentialSubject: { id: string } } };
    // A consent is signed by the patient's own DID, nobody else's.
    expect(payload.iss).toBe(r.json.did);
    expect(payload.sub).toBe(r.json.did);
    expect(payload.vc.credentialSubject.id).toBe(r.json.did);
  });

  it('makes a doctor with licence, specialty and board certification (revocable and suspendable)', async () => {
    const r = await wallet(['new-doctor', '--name', 'Amal Haddad', '--key', 'p256']);
    expect(r.code).toBe(0);
    expect(r.json.did).toMatch(/^did:jwk:/);
    expect(r.json.credentials.map((x) => x.type)).toEqual(['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential']);
  });

  it('presents a patient wallet as one QR code whose PNG decodes back to the signed presentation', async () => {
    const out = path.join(home, 'out', 'maria.png');
    const video = path.join(home, 'out', 'maria.y4m');
    const r = await wallet(['present', '--wallet', 'maria-oliveira', '--out', out, '--video', video]);
    expect(r.code).toBe(0);
    expect(r.json.codes).toHaveLength(1);
    expect(r.json.qrVersions[0]).toBeLessThanOrEqual(30);
    const decoded = decodeWalletQr(r.json.codes[0] as string);
    expect(decoded.presentation).toBe((await readFile(path.join(home, 'out', 'maria.jwt'), 'utf8')).trim());
    const vp = decodeJwtPayload(decoded.presentation) as { iss: string; aud: string; iat: number; exp: number; jti: string; vp: { holder: string } };
    expect(vp.aud).toBe('did:web:hospital-a.careledger.example');
    expect(vp.exp - vp.iat).toBeLessThanOrEqual(300);
    expect(vp.jti).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(vp.vp.holder).toBe(vp.iss);
    for (const jwt of [decoded.presentation, ...decoded.credentials]) {
      expect(verifiesWithItsKid(jwt)).toBe(true);
      const p = decodeJwtPayload(jwt) as { vc?: { type: string[]; credentialSubject: unknown }; sub?: string };
      if (!p.vc) continue;
      expect(p.sub).toBe(vp.iss);
      const type = p.vc.type[1] as keyof typeof SUBJECT_SCHEMAS;
      expect(SUBJECT_SCHEMAS[type].safeParse(p.vc.credentialSubject).success).toBe(true);
    }
    const y4m = await readFile(video);
    const header = y4m.subarray(0, y4m.indexOf(10) + 1).toString('ascii');
    expect(header).toBe('YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg\n');
    // Whole frames only: 'FRAME\n' + Y plane + quarter-size U and V planes.
    const frameBytes = 6 + 640 * 480 * 1.5;
    expect((y4m.length - header.length) % frameBytes).toBe(0);
    expect((y4m.length - header.length) / frameBytes).toBeGreaterThanOrEqual(5);
  });

  it('splits a presentation into several codes when asked for small ones, and they reassemble', async () => {
    const out = path.join(home, 'out', 'amal.png');
    const r = await wallet(['present', '--wallet', 'amal-haddad', '--out', out, '--max-code-chars', '700']);
    expect(r.code).toBe(0);
    expect(r.json.pngFiles.length).toBeGreaterThan(1);
    expect(r.json.pngFiles[0]).toMatch(/amal-1\.png$/);
    const collector = new WalletQrCollector();
    for (const code of [...r.json.codes].reverse()) collector.add(code);
    const decoded = collector.result();
    expect(decoded.credentials).toHaveLength(3);
    for (const jwt of [decoded.presentation, ...decoded.credentials]) expect(verifiesWithItsKid(jwt)).toBe(true);
  });

  it('always names the hospital in a presentation: an empty --audience is refused with the reason', async () => {
    for (const audience of ['', 'hospital-a']) {
      const r = await wallet(['present', '--wallet', 'maria-oliveira', '--out', path.join(home, 'out', 'no-aud.png'), '--audience', audience]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/--audience must be the DID of the hospital/);
    }
  });

  it('revokes and suspends through the issuers\' status lists, which export in the shared encoding', async () => {
    const identity = (await wallet(['list', '--wallet', 'maria-oliveira'])).json.credentials.find((c) => c.type === 'PatientIdentityCredential') as StoredCredential;
    const licence = (await wallet(['list', '--wallet', 'amal-haddad'])).json.credentials.find((c) => c.type === 'MedicalLicenseCredential') as StoredCredential;
    expect((await wallet(['revoke', 'identity', '--wallet', 'maria-oliveira'])).code).toBe(0);
    expect((await wallet(['suspend', 'licence', '--wallet', 'amal-haddad'])).code).toBe(0);
    // Identity credentials carry no suspension entry: say so instead of pretending.
    const noSuspension = await wallet(['suspend', 'identity', '--wallet', 'maria-oliveira']);
    expect(noSuspension.code).toBe(2);
    expect(noSuspension.err).toContain('no suspension status entry');

    const exported = await wallet(['status-list', '--out', path.join(home, 'lists')]);
    expect(exported.code).toBe(0);
    const read = async (listId: string): Promise<ExportedStatusList> => JSON.parse(await readFile(path.join(home, 'lists', `${listId}.json`), 'utf8')) as ExportedStatusList;
    const bitOf = async (entry: StoredCredential['status'][number]): Promise<boolean> => {
      const list = await read(entry.statusListCredential.replace('urn:careledger:statuslist:', ''));
      const bits = decodeStatusList(list.encodedList);
      expect(bits.length * 8).toBeGreaterThanOrEqual(131_072);
      expect(verifiesWithItsKid(list.credentialJwt)).toBe(true);
      return getStatusBit(bits, Number(entry.statusListIndex));
    };
    expect(await bitOf(identity.status[0] as StoredCredential['status'][number])).toBe(true);
    const licenceSuspension = licence.status.find((s) => s.statusPurpose === 'suspension');
    const licenceRevocation = licence.status.find((s) => s.statusPurpose === 'revocation');
    expect(await bitOf(licenceSuspension as StoredCredential['status'][number])).toBe(true);
    expect(await bitOf(licenceRevocation as StoredCredential['status'][number])).toBe(false);

    expect((await wallet(['reinstate', 'licence', '--wallet', 'amal-haddad'])).code).toBe(0);
    await wallet(['status-list', '--out', path.join(home, 'lists')]);
    expect(await bitOf(licenceSuspension as StoredCredential['status'][number])).toBe(false);
  });

  it('signs a consent revocation by the patient that names the consent', async () => {
    const r = await wallet(['revoke-consent', '--wallet', 'maria-oliveira']);
    expect(r.code).toBe(0);
    const p = decodeJwtPayload(r.json.jwt);
    expect(p).toMatchObject({ type: 'ConsentRevocation', consentId: r.json.consentId });
    expect(p['jti']).toMatch(/^urn:uuid:/);
    expect(verifiesWithItsKid(r.json.jwt)).toBe(true);
  });

  it('explains unknown commands and missing options instead of crashing', async () => {
    expect((await wallet(['frobnicate'])).err).toContain('Unknown command');
    expect((await wallet(['issue', 'identity'])).err).toContain('--wallet');
    expect((await wallet(['new-patient', '--name', 'X Y', '--birth-date', '02/03/1984'])).err).toContain('1984-03-02');
    // Codes outside the agreed lists would make a consent the desk must refuse: refuse it here.
    expect((await wallet(['consent', '--wallet', 'maria-oliveira', '--purpose', 'MARKETING'])).err).toContain('TREAT');
    expect((await wallet(['consent', '--wallet', 'maria-oliveira', '--categories', 'genome'])).err).toContain('demographics');
    expect((await wallet(['consent', '--wallet', 'maria-oliveira', '--grantee', 'did:key:z6Mkabc'])).err).toContain('did:web');
  });
});
