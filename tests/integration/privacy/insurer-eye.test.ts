/**
 * The insurer's-eye test (issue 16, docs/privacy-layout.md). After a demo day on the devnet
 * (the demo seed, then Hospital A's desk admitting two wallet patients with their consents,
 * a transfer and a discharge through the real sync engine; clinicians' access entries, one of
 * them break-the-glass; a record anchor; a consent and an access at Hospital B; a claim
 * submitted, adjudicated and paid), the insurer's staff read every block (full Deliver, and
 * Deliver with the private data the insurer may have), every chaincode event, and every
 * evaluation the chaincode offers. None of the patients' wallet DIDs, Hospital A's pseudonyms,
 * ward codes, consent scopes or access entries may appear; the insurer still sees and settles
 * its claim. Then Hospital B: it sees the consent naming it and the access entries about the
 * patient it serves, and cannot link Hospital A's admissions or anchors to any DID it knows.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChaincodeEvent, Contract, Network } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { bedOccupancyApplier } from '../../../src-main/admission/occupancy';
import { hospitalPseudonym } from '../../../src-main/admission/pseudonym';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { LAYOUT_MARKER, startDemoLedger, type DemoLedger } from '../../../src-main/demo/embedded-ledger';
import { settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';
import { CacheConsentMirror, CARELEDGER_APPLIERS } from '../../../src-main/ledger/mirrors';
import { SyncService } from '../../../src-main/sync/sync-service';
import { issueConsentGrant } from '../../../tools/wallet/credentials';
import { ADMIT, makeWorld, openCache, outboxRows, patientWallet, present, STAFF, type PatientWallet, type World } from '../admission/support';
import { bundleSigner, waitFor } from '../sync/support';
import { connectAsName } from '../wallet/support';

const HOSPITAL_B_DID = 'did:web:hospital-b.careledger.example';

let dir: string;
let ledger: DemoLedger;
let bundle: NetworkBundle;
let db: CacheDatabase;
let sync: SyncService;
let world: World;
const connections: Array<{ close(): void }> = [];

/** What the demo day wrote, and what must stay between the hospitals. */
const day = {
  wallets: [] as PatientWallet[],
  pseudonyms: [] as string[],
  encounterIds: [] as string[],
  consentIds: [] as string[],
  entryIds: [] as string[],
  recordId: '',
  consentAtB: '',
  claimId: '',
  lastBlock: 0n,
  lastTxId: '',
};

function contractAs(name: string): { contract: Contract; network: Network } {
  const c = connectAsName(bundle, name);
  connections.push(c);
  const network = c.gateway.getNetwork(bundle.channel);
  return { contract: network.getContract(bundle.chaincode), network };
}

function json(bytes: Uint8Array): Record<string, unknown> {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
}

/** Submits and remembers the block it committed in, so the readers know where the day ends. */
async function submit(contract: Contract, fn: string, options: { arguments?: string[]; transientData?: Record<string, string>; endorsingOrganizations?: string[] }): Promise<Record<string, unknown>> {
  const commit = await contract.submitAsync(fn, options);
  const status = await commit.getStatus();
  if (!status.successful) throw new Error(`${fn} did not commit: ${status.code}`);
  if (status.blockNumber > day.lastBlock) {
    day.lastBlock = status.blockNumber;
    day.lastTxId = commit.getTransactionId();
  }
  return json(commit.getResult());
}

async function admitWithWallet(wallet: PatientWallet, bed: string): Promise<{ admissionId: string; encounterId: string; consentId: string }> {
  const scan = await world.desk.scan(STAFF, present(wallet)[0] as string, 'camera');
  if (scan.status !== 'verified' || !scan.accepted) throw new Error('expected an accepted scan');
  const admission = await world.desk.admit(STAFF, { ...ADMIT, bed, scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
  return { admissionId: admission.admissionId, encounterId: admission.encounterId, consentId: admission.consent.consentId as string };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-insurer-eye-'));
  // The demo seed: issuers, trust registry, status lists, organisations and both hospitals.
  ledger = await startDemoLedger({ devnetDir: path.join(dir, 'devnet'), walletHome: path.join(dir, 'wallet'), didWebCacheDir: path.join(dir, 'ws', 'did-web') });
  bundle = JSON.parse(readFileSync(ledger.bundleFile, 'utf8')) as NetworkBundle;
  // A demo ledger made in this layout says so (an older one is refused: tests/integration/demo/old-layout.test.ts).
  if (!existsSync(path.join(dir, 'devnet', LAYOUT_MARKER))) throw new Error('the seeded demo ledger has no layout marker');

  // Hospital A's admission desk, through the real sync engine.
  db = await openCache(dir);
  // The workstation's appliers (src-main/services.ts): the ledger mirrors and the desk's bed occupancy.
  sync = new SyncService({ settings: settingsFromDevnetBundle(bundle, { mspId: 'HospitalAMSP' }), fixedSigners: [bundleSigner(bundle, 'hospital-a-admissions')], appliers: [...CARELEDGER_APPLIERS, bedOccupancyApplier] });
  await sync.start(db);
  world = await makeWorld('insurer-eye', { db, dir, ledger: () => sync });
  const maria = patientWallet(world.issuers, { givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02' });
  const tomasz = patientWallet(world.issuers, { givenName: 'Tomasz', familyName: 'Nowak', birthDate: '1971-07-07', gender: 'male' });
  day.wallets.push(maria, tomasz);
  const first = await admitWithWallet(maria, 'A01');
  const second = await admitWithWallet(tomasz, 'A02');
  await world.desk.transfer(STAFF, { admissionId: first.admissionId, wardCode: 'W-103', bed: 'C01' });
  await world.desk.discharge(STAFF, { admissionId: second.admissionId });
  await waitFor(async () => (await outboxRows(db)).every((r) => r.state === 'committed'), 120_000, 'the desk writes to commit');
  day.encounterIds.push(first.encounterId, second.encounterId);
  day.consentIds.push(first.consentId, second.consentId);
  const key = await db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'patient-pseudonym-key'`));
  day.pseudonyms.push(...day.wallets.map((w) => hospitalPseudonym({ version: 1, secret: Buffer.from(key?.value ?? '', 'hex') }, w.patient.did)));

  // Clinicians at Hospital A: a consented chart view, and a break-the-glass one; a record anchor.
  const clinicianA = contractAs('hospital-a-clinician').contract;
  const now = new Date().toISOString();
  const entry = (entryId: string, wallet: PatientWallet, extra: object): string =>
    JSON.stringify({ entryId, patientDid: wallet.patient.did, categories: ['medications'], purpose: 'TREAT', decision: 'allowed', accessedAt: now, ...extra });
  day.entryIds.push(randomUUID(), randomUUID());
  await submit(clinicianA, 'Access:logAccess', { transientData: { entry: entry(day.entryIds[0] ?? '', maria, { consentId: first.consentId }) } });
  await submit(clinicianA, 'Access:logAccess', { transientData: { entry: entry(day.entryIds[1] ?? '', tomasz, { purpose: 'ETREAT', breakGlass: { reasonCode: 'emergency-unconscious' } }) } });
  day.recordId = `obs-${randomUUID()}`;
  await submit(clinicianA, 'Records:anchorRecord', { transientData: { anchor: JSON.stringify({ recordId: day.recordId, patientPseudonym: day.pseudonyms[0], saltedHash: createHash('sha256').update('salt|obs').digest('hex'), category: 'observations' }) } });

  // Hospital B: Tomasz consents to it, and its clinician views his record under that consent.
  const clinicianB = contractAs('hospital-b-clinician').contract;
  const consentB = await submit(clinicianB, 'Consent:recordConsent', {
    transientData: { consentJwt: issueConsentGrant({ patient: tomasz.patient, grantee: HOSPITAL_B_DID, granteeName: 'Hospital B', purposeOfUse: ['TREAT'], categories: ['imaging'] }) },
  });
  day.consentAtB = consentB['consentId'] as string;
  day.entryIds.push(randomUUID());
  await submit(clinicianB, 'Access:logAccess', {
    transientData: { entry: JSON.stringify({ entryId: day.entryIds[2], patientDid: tomasz.patient.did, categories: ['imaging'], purpose: 'TREAT', decision: 'allowed', consentId: day.consentAtB, accessedAt: now }) },
  });

  // The claim: Hospital A bills the insurer, which adjudicates and pays. The insurer knows its
  // member by member number; the claim carries no ward and no DID.
  const clerk = contractAs('hospital-a-claims').contract;
  const insurer = contractAs('insurer-adjudicator').contract;
  day.claimId = `CLM-${randomUUID()}`;
  const claim = {
    resourceType: 'Claim',
    status: 'active',
    use: 'claim',
    patient: { identifier: { system: 'urn:insurer:member', value: 'NWH-2291-774-03' } },
    provider: { identifier: { value: 'did:web:hospital-a.careledger.example' } },
    item: [{ sequence: 1, productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99223' }] }, servicedDate: now.slice(0, 10), net: { value: 480, currency: 'EUR' } }],
    total: { value: 480, currency: 'EUR' },
  };
  const both = ['HospitalAMSP', 'InsurerMSP'];
  await submit(clerk, 'Claims:submitClaim', { arguments: [JSON.stringify({ claimId: day.claimId, insurerMspId: 'InsurerMSP' })], transientData: { claim: JSON.stringify(claim), fingerprintSalt: randomBytes(32).toString('hex') }, endorsingOrganizations: both });
  await submit(insurer, 'Claims:adjudicateClaim', { arguments: [day.claimId, JSON.stringify({ outcome: 'approved', approvedAmount: 48000, reasonCodes: [] })], endorsingOrganizations: both });
  await submit(insurer, 'Claims:payClaim', { arguments: [day.claimId, JSON.stringify({ paidAmount: 48000, paymentRef: 'PAY-7' })], endorsingOrganizations: both });
}, 420_000);

afterAll(async () => {
  for (const c of connections) c.close();
  await sync?.close();
  await world?.close();
  await ledger?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What must never reach an insurer (or any non-hospital): who, where, under which scope. */
function careFacts(): string[] {
  return [
    ...day.wallets.map((w) => w.patient.did),
    ...day.pseudonyms,
    'W-101',
    'W-103',
    // Consent scopes and access entries, by their field names and values.
    '"purposes"',
    '"categories"',
    '"consentCheck"',
    '"patientDid"',
    'emergency-unconscious',
    'Oliveira',
    'Nowak',
  ];
}

function leaks(text: string, facts: readonly string[]): string[] {
  return facts.filter((f) => text.includes(f));
}

/** Every block from 0 to the end of the day, as raw bytes (full Deliver, or with private data). */
async function readBlocks(network: Network, withPrivateData: boolean): Promise<{ count: number; text: string }> {
  const parts: string[] = [];
  let count = 0;
  const stream = withPrivateData ? await network.getBlockAndPrivateDataEvents({ startBlock: 0n }) : await network.getBlockEvents({ startBlock: 0n });
  try {
    for await (const item of stream) {
      const block = 'getBlock' in item ? item.getBlock() : item;
      parts.push(Buffer.from(item.serializeBinary()).toString('latin1'));
      count++;
      if (BigInt(block?.getHeader()?.getNumber() ?? 0) >= day.lastBlock) break;
    }
  } finally {
    stream.close();
  }
  return { count, text: parts.join('\n') };
}

async function readEvents(network: Network): Promise<{ names: string[]; text: string }> {
  const names: string[] = [];
  const parts: string[] = [];
  const events = await network.getChaincodeEvents(bundle.chaincode, { startBlock: 0n });
  try {
    for await (const event of events as AsyncIterable<ChaincodeEvent>) {
      names.push(event.eventName);
      parts.push(`${event.eventName} ${Buffer.from(event.payload).toString('utf8')}`);
      if (event.transactionId === day.lastTxId) break;
    }
  } finally {
    events.close();
  }
  return { names, text: parts.join('\n') };
}

const PRIVATE_CONTRACTS = ['Consent', 'Access', 'Records', 'Admissions'];

/** Arguments for an evaluation, by parameter name: the day's real ids for the private contracts, neutral ones elsewhere. */
function argumentFor(contract: string, parameter: string): string {
  const privateOne = PRIVATE_CONTRACTS.includes(contract);
  const values: Record<string, string> = {
    patientDid: privateOne ? (day.wallets[0]?.patient.did ?? '') : 'did:key:z6MkneutralNeutralNeutral',
    doctorDid: 'did:key:z6MkneutralNeutralNeutral',
    consentId: day.consentIds[0] ?? '',
    entryId: day.entryIds[0] ?? '',
    encounterId: day.encounterIds[0] ?? '',
    recordId: day.recordId,
    pseudonym: day.pseudonyms[0] ?? '',
    saltedHash: createHash('sha256').update('salt|obs').digest('hex'),
    grantee: 'HospitalAMSP',
    hospitalMspId: 'HospitalAMSP',
    purpose: 'TREAT',
    category: 'medications',
    claimId: day.claimId,
    party: 'InsurerMSP',
    msp: 'InsurerMSP',
    mspId: 'InsurerMSP',
    pageSize: '200',
    index: '0',
  };
  return values[parameter] ?? '';
}

interface Evaluation {
  fn: string;
  ok: boolean;
  text: string;
}

type TransactionMetadata = { name: string; tag: string[]; parameters?: Array<{ name: string }> };

/**
 * The chaincode's own transaction list, as fabric-contract-api's decorators record it in the
 * compiled package the devnet runs (the GetMetadata system transaction fails in this
 * fabric-contract-api build: "classToPlain is not a function").
 */
function chaincodeTransactions(): Array<{ contract: string; transactions: TransactionMetadata[] }> {
  process.env['CORE_CHAINCODE_LOGGING_LEVEL'] = 'warning';
  const pkg = createRequire(import.meta.url)('../../../ledger/chaincode/dist/src/index.js') as { contracts: Array<new () => { getName(): string }> };
  return pkg.contracts.map((C) => {
    const instance = new C();
    return { contract: instance.getName(), transactions: (Reflect.getMetadata('fabric:transactions', instance) ?? []) as TransactionMetadata[] };
  });
}

/** Every evaluate (read-only) transaction the chaincode offers, called as `name`. */
async function evaluateEverything(name: string): Promise<Evaluation[]> {
  const { contract } = contractAs(name);
  const out: Evaluation[] = [];
  for (const { contract: contractName, transactions } of chaincodeTransactions()) {
    for (const tx of transactions) {
      if (!(tx.tag ?? []).includes('EVALUATE')) continue;
      const fn = `${contractName}:${tx.name}`;
      const args = (tx.parameters ?? []).map((p) => argumentFor(contractName, p.name));
      try {
        out.push({ fn, ok: true, text: Buffer.from(await contract.evaluateTransaction(fn, ...args)).toString('utf8') });
      } catch (err) {
        const details = (err as { details?: Array<{ message: string }> }).details ?? [];
        out.push({ fn, ok: false, text: [(err as Error).message, ...details.map((d) => d.message)].join(' ') });
      }
    }
  }
  return out;
}

describe("the insurer's eye", () => {
  it('finds nothing about care in any block, with or without the private data it may read', async () => {
    const { network } = contractAs('insurer-adjudicator');
    const blocks = await readBlocks(network, false);
    expect(blocks.count).toBeGreaterThan(10);
    expect(leaks(blocks.text, careFacts())).toEqual([]);
    const withPrivate = await readBlocks(network, true);
    expect(withPrivate.count).toBe(blocks.count);
    expect(leaks(withPrivate.text, careFacts())).toEqual([]);
    // Control: the same reader, as a hospital (a member of the hospitals collection), does find them.
    const asHospital = await readBlocks(contractAs('hospital-b-clinician').network, true);
    expect(leaks(asHospital.text, [...day.wallets.map((w) => w.patient.did), day.pseudonyms[0] ?? '', 'W-101', '"purposes"', '"consentCheck"'])).toHaveLength(6);
    // The claim detail the insurer is party to does come with its blocks: the claims flow works.
    expect(withPrivate.text).toContain('NWH-2291-774-03');
    expect(blocks.text).not.toContain('NWH-2291-774-03');
  });

  it('finds only ids and hashes in the chaincode events', async () => {
    const { network } = contractAs('insurer-claims');
    const events = await readEvents(network);
    expect(events.names).toEqual(expect.arrayContaining(['Admissions.EventRecorded', 'Consent.Granted', 'Access.Logged', 'Records.Anchored', 'Claims.Paid']));
    expect(leaks(events.text, careFacts())).toEqual([]);
  });

  it('is refused every consent, access, record and admission read, learns nothing from the others, and still settles its claim', async () => {
    for (const who of ['insurer-adjudicator', 'insurer-claims']) {
      const results = await evaluateEverything(who);
      expect(results.length).toBeGreaterThanOrEqual(34);
      const privateReads = results.filter((r) => PRIVATE_CONTRACTS.includes(r.fn.split(':')[0] ?? ''));
      // Every read of the hospitals-only contracts, counted so a new one is looked at here first
      // (the record exchange added Consent:checkConsents and Access:listAccessForRequest).
      expect(privateReads.length).toBe(16);
      for (const r of privateReads) expect({ fn: r.fn, ok: r.ok, forbidden: /FORBIDDEN/.test(r.text) }).toEqual({ fn: r.fn, ok: false, forbidden: true });
      expect(leaks(results.map((r) => `${r.fn} ${r.text}`).join('\n'), careFacts())).toEqual([]);
      const claims = results.find((r) => r.fn === 'Claims:listClaims');
      expect(claims?.ok).toBe(true);
      expect(JSON.parse(claims?.text ?? '{}')).toMatchObject({ records: expect.arrayContaining([expect.objectContaining({ claimId: day.claimId, status: 'paid', paidAmount: 48000 })]) });
    }
  });
});

describe('the second hospital', () => {
  it('sees the consent naming it and the access entries about the patient it serves', async () => {
    const { contract } = contractAs('hospital-b-clinician');
    const tomasz = day.wallets[1]?.patient.did ?? '';
    expect(json(await contract.evaluateTransaction('Consent:getConsent', day.consentAtB))).toMatchObject({ patientDid: tomasz, granteeMspId: 'HospitalBMSP', categories: ['imaging'] });
    const history = json(await contract.evaluateTransaction('Access:listAccessForPatient', tomasz, '50', '')) as { records: Array<{ entryId: string }> };
    expect(history.records.map((e) => e.entryId)).toContain(day.entryIds[2]);
  });

  it("cannot link Hospital A's admission events or record anchors to any patient DID it knows", async () => {
    const { contract, network } = contractAs('hospital-b-clinician');
    const known = day.wallets.map((w) => w.patient.did);
    // Everything the events let it find: the encounters and their events, and the anchor.
    const events = await readEvents(network);
    expect(leaks(events.text, [...known, ...day.pseudonyms, 'W-101', 'W-103'])).toEqual([]);
    // A's admissions are A's business: the events name them, but B may not read them.
    for (const encounterId of day.encounterIds) {
      for (const call of [contract.evaluateTransaction('Admissions:getEncounter', encounterId), contract.evaluateTransaction('Admissions:listEncounterEvents', encounterId, '50', '')]) {
        const refused = await call.then(
          () => '',
          (err: unknown) => ((err as { details?: Array<{ message: string }> }).details ?? []).map((d) => d.message).join(' '),
        );
        expect(refused).toMatch(/FORBIDDEN/);
      }
    }
    // An anchor it can check (records travel between hospitals) names the patient by A's pseudonym
    // only; B's own pseudonym of the same patient (its own key) is another value: nothing links.
    const text = Buffer.from(await contract.evaluateTransaction('Records:getRecordAnchor', day.recordId)).toString('utf8');
    expect(leaks(text, known)).toEqual([]);
    expect(text).toContain(day.pseudonyms[0]);
    const ownKey = { version: 1, secret: randomBytes(32) };
    for (const did of known) expect(text).not.toContain(hospitalPseudonym(ownKey, did));
  });
});

describe("Hospital A's workstation", () => {
  it('mirrors the consents given to it by reading them on its own peer, and skips the one given to Hospital B', async () => {
    const mirror = new CacheConsentMirror(db);
    const [maria, tomasz] = day.wallets.map((w) => w.patient.did);
    await waitFor(async () => (await mirror.forPatient(maria ?? '')).length > 0 && (await mirror.forPatient(tomasz ?? '')).length > 0, 60_000, 'the inbox to mirror the consents');
    expect((await mirror.forPatient(maria ?? '')).map((c) => [c['consentId'], c['granteeMspId'], c['status']])).toEqual([[day.consentIds[0], 'HospitalAMSP', 'active']]);
    // Tomasz's consent to Hospital B is announced to A too (ids only), but A may not read it.
    expect((await mirror.forPatient(tomasz ?? '')).map((c) => c['consentId'])).toEqual([day.consentIds[1]]);
  });

  it('keeps bed occupancy from its own admission events by reading each encounter on its own peer', async () => {
    type Row = { encounter_id: string; ward_code: string; bed: string; status: string };
    const rows = (): Promise<Row[]> => db.read((r) => r.all<Row>(sql`SELECT encounter_id, ward_code, bed, status FROM mirror_bed_occupancy ORDER BY ward_code`));
    await waitFor(async () => (await rows()).length === 2, 60_000, 'the inbox to mirror both encounters');
    expect((await rows()).map((r) => [r.encounter_id, r.ward_code, r.bed, r.status])).toEqual([
      [day.encounterIds[1], 'W-101', 'A02', 'discharged'],
      [day.encounterIds[0], 'W-103', 'C01', 'admitted'],
    ]);
  });
});
