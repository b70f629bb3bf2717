/**
 * A hospital world for the admission desk's integration tests: a real SQLCipher cache with
 * every migration, the sync engine's mirror tables filled as its inbox would fill them (trust
 * registry, status lists, freshness), issuers' did:web documents in an offline folder, and
 * patients' wallets made by the wallet simulator's own functions.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DIDDocument } from 'did-resolver';
import { createAdmissionDesk, type AdmissionDeskService, type DeskLedger } from '../../../src-main/admission';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { FileDidWebCache } from '../../../src-main/identity';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { createStatusList, encodeStatusList, setStatusBit } from '../../../src-shared/identity/status-list';
import { encodeWalletQr } from '../../../src-shared/walletqr';
import { issueConsentGrant, issueCredential, signPresentation, statusEntry } from '../../../tools/wallet/credentials';
import { issuerDidDocuments, ISSUER_NAMES, makeDemoIssuers, type DemoIssuers } from '../../../tools/wallet/fixtures';
import { newDidKey, type Identifier } from '../../../tools/wallet/keys';

export const STAFF = { id: 'hospital-a-admissions', displayName: 'Ada Clerk' };
export const LISTS = { identity: 'identity-revocation-1', insurer: 'insurer-revocation-1' } as const;

export interface World {
  dir: string;
  db: CacheDatabase;
  issuers: DemoIssuers;
  desk: AdmissionDeskService;
  /** Sets or clears a revocation bit as the issuer's newly published list would. */
  setRevoked(list: keyof typeof LISTS, index: number, fetchedAt?: string): Promise<void>;
  /** Marks the status-list mirror as last confirmed against the ledger at `asOf`. */
  setStatusFreshness(asOf: string): Promise<void>;
  close(): Promise<void>;
}

/** Queues outbox rows as the sync engine does, signed later by this identity. */
export function outboxOnlyLedger(db: CacheDatabase): DeskLedger {
  const author = { identityId: STAFF.id, mspId: 'HospitalAMSP', certificatePem: '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n' };
  return { transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))) };
}

export async function openCache(dir: string): Promise<CacheDatabase> {
  const key = randomBytes(32);
  const db = await CacheDatabase.open(path.join(dir, 'cache.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  await migrate(db);
  return db;
}

/** Trust registry and status-list mirrors as the inbox leaves them after a sync. */
export async function fillMirrors(db: CacheDatabase, issuers: DemoIssuers, now = new Date().toISOString()): Promise<void> {
  const trusted = [
    { issuerDid: issuers.identity.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2020-01-01T00:00:00.000Z' },
    { issuerDid: issuers.insurer.did, operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: '2020-01-01T00:00:00.000Z' },
  ];
  await db.write(async (w) => {
    for (const t of trusted) {
      await w.run(sql`INSERT OR REPLACE INTO mirror_trusted_issuer (issuer_did, record, block_number) VALUES (${t.issuerDid}, ${JSON.stringify(t)}, 1)`);
    }
    for (const [role, listId] of Object.entries(LISTS)) {
      const issuerDid = role === 'identity' ? issuers.identity.did : issuers.insurer.did;
      const record = { listId, issuerDid, statusPurpose: 'revocation', encodedList: encodeStatusList(createStatusList()), updatedAt: now };
      await w.run(sql`INSERT OR REPLACE INTO mirror_status_list (list_id, issuer_did, record, block_number, fetched_at) VALUES (${listId}, ${issuerDid}, ${JSON.stringify(record)}, 1, ${now})`);
    }
    for (const mirror of ['trust-registry', 'status-lists']) {
      await w.run(sql`INSERT OR REPLACE INTO mirror_freshness (mirror, through_block, as_of) VALUES (${mirror}, 1, ${now})`);
    }
  });
}

export async function makeWorld(prefix: string, options: { db?: CacheDatabase; dir?: string; ledger?: (db: CacheDatabase) => DeskLedger; issuers?: DemoIssuers } = {}): Promise<World> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), `careledger-adm-${prefix}-`));
  const db = options.db ?? (await openCache(dir));
  const issuers = options.issuers ?? makeDemoIssuers('EdDSA');
  const didWebDir = path.join(dir, 'did-web');
  const didCache = new FileDidWebCache(didWebDir);
  for (const [did, doc] of Object.entries(issuerDidDocuments(issuers))) await didCache.put(did, doc as unknown as DIDDocument);
  await fillMirrors(db, issuers);
  const desk = createAdmissionDesk({ db, ledger: (options.ledger ?? outboxOnlyLedger)(db), dataDir: dir, settings: { hospitalDid: DEMO_HOSPITAL_DID, didWebCacheDir: didWebDir } });
  const revoked: Record<string, Uint8Array> = { [LISTS.identity]: createStatusList(), [LISTS.insurer]: createStatusList() };
  return {
    dir,
    db,
    issuers,
    desk,
    async setRevoked(list, index, fetchedAt = new Date().toISOString()) {
      const listId = LISTS[list];
      const bits = revoked[listId] as Uint8Array;
      setStatusBit(bits, index, true);
      const issuerDid = list === 'identity' ? issuers.identity.did : issuers.insurer.did;
      const record = { listId, issuerDid, statusPurpose: 'revocation', encodedList: encodeStatusList(bits), updatedAt: fetchedAt };
      await db.write((w) => w.run(sql`UPDATE mirror_status_list SET record = ${JSON.stringify(record)}, fetched_at = ${fetchedAt} WHERE list_id = ${listId}`));
    },
    async setStatusFreshness(asOf) {
      await db.write(async (w) => {
        await w.run(sql`UPDATE mirror_freshness SET as_of = ${asOf} WHERE mirror = 'status-lists'`);
        await w.run(sql`UPDATE mirror_status_list SET fetched_at = ${asOf}`);
      });
    },
    async close() {
      await db.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface PatientWallet {
  patient: Identifier;
  identity: string;
  coverage: string;
  consent: string;
  coverageIndex: number;
  identityIndex: number;
}

let nextIndex = 1000;

/** A patient's wallet with identity, coverage (valid around today) and a consent for the demo hospital. */
export function patientWallet(issuers: DemoIssuers, who: { givenName: string; familyName: string; birthDate: string; gender?: string }, opts: { identityIssuer?: Identifier } = {}): PatientWallet {
  const patient = newDidKey();
  const identityIndex = nextIndex++;
  const coverageIndex = nextIndex++;
  const year = new Date().getUTCFullYear();
  const identity = issueCredential({
    issuer: opts.identityIssuer ?? issuers.identity,
    subjectDid: patient.did,
    type: 'PatientIdentityCredential',
    claims: { givenName: who.givenName, familyName: who.familyName, birthDate: who.birthDate, gender: who.gender ?? 'female' },
    status: [statusEntry(LISTS.identity, identityIndex, 'revocation')],
    validForDays: 3650,
  });
  const coverage = issueCredential({
    issuer: issuers.insurer,
    subjectDid: patient.did,
    type: 'InsuranceCoverageCredential',
    claims: { insurerName: ISSUER_NAMES.insurer, insurerDid: issuers.insurer.did, memberId: 'NWH-2291-774-03', planName: 'Family Care Plus', coverageStart: `${year - 1}-01-01`, coverageEnd: `${year + 1}-12-31` },
    status: [statusEntry(LISTS.insurer, coverageIndex, 'revocation')],
  });
  const consent = issueConsentGrant({ patient, grantee: DEMO_HOSPITAL_DID, granteeName: 'Hospital A', purposeOfUse: ['TREAT', 'HPAYMT'], categories: ['demographics', 'encounters', 'medications', 'allergies'] });
  return { patient, identity, coverage, consent, coverageIndex, identityIndex };
}

/** A fresh presentation of the wallet's cards as wallet QR text(s). */
export function present(wallet: PatientWallet, which: ('identity' | 'coverage' | 'consent')[] = ['identity', 'coverage', 'consent'], maxCodeChars?: number): string[] {
  const vp = signPresentation({ holder: wallet.patient, credentials: which.map((k) => wallet[k]), audience: DEMO_HOSPITAL_DID });
  return encodeWalletQr(vp, maxCodeChars ? { maxCodeChars } : {});
}

export async function outboxRows(db: CacheDatabase): Promise<{ seq: number; operation: string; order_key: string; payload: string; state: string }[]> {
  return db.read((r) => r.all(sql`SELECT seq, operation, order_key, payload, state FROM outbox ORDER BY seq`));
}

export const ADMIT = { wardCode: 'W-101', attendingClinicianId: 'clin-okafor', reason: 'Chest pain, for observation', recordConsent: true } as const;
