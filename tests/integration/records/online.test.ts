/**
 * The chart ONLINE, end to end (issues 10 + 11): the demo's embedded ledger with its two record
 * gatekeepers, and the workstation's own chart code (HttpRecordGatekeepers finding each hospital
 * through the Governance registry and its did:web document, RFC 9421 signing with Dr Carl's
 * Fabric certificate, Records:verifyRecord anchor checks, access entries through the outbox).
 * Maria posts her consent from her wallet; Dr Carl at Hospital A opens her chart and gets her
 * Hospital B history with anchors verified and the categories she did not name listed as
 * withheld; each view's access entries reach the ledger beside the gatekeeper's release entry
 * under the same request id; Maria revokes from home and the next sync closes the chart and
 * purges her records.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { startDemoLedger, type DemoLedger } from '../../../src-main/demo/embedded-ledger';
import { DomainError } from '../../../src-main/errors';
import { FileDidWebCache } from '../../../src-main/identity/mirrors';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { decodePayload, queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { ChartService } from '../../../src-main/records/chart-service';
import { HttpRecordGatekeepers } from '../../../src-main/records/gatekeeper-client';
import { LedgerAnchorVerifier, type LedgerQueries } from '../../../src-main/records/ledger-reads';
import { PrivacyOffice } from '../../../src-main/records/privacy-office';
import { chartRevocationApplier } from '../../../src-main/records/revocation';
import { GATEKEEPER_SERVICE_TYPE } from '../../../src-shared/records';
import { runWalletCli } from '../../../tools/wallet/commands';
import { connectAs, type Connection, json } from '../chaincode/support';
import { recordsUrl, send } from '../record-exchange/client';
import { addPatient, openChartCache } from './support';

let dir: string;
let ledger: DemoLedger;
let bundle: NetworkBundle;
let db: CacheDatabase;
let chart: ChartService;
let gatekeeperB: string;
let mariaDid: string;
let patientId: string;
const connections: Connection[] = [];
const carl = { id: 'hospital-a-clinician', displayName: 'Dr Carl Clinician' };
const paths = () => ({ devnetDir: path.join(dir, 'devnet'), walletHome: path.join(dir, 'wallet'), didWebCacheDir: path.join(dir, 'did-web') });

function contractOf(mspId: string, role: string): Contract {
  const who = bundle.identities.find((i) => i.mspId === mspId && i.role === role);
  if (!who) throw new Error(`no ${role} at ${mspId} in the devnet bundle`);
  const connection = connectAs(bundle, who.name);
  connections.push(connection);
  return connection.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode);
}

/** Ledger reads as the workstation makes them (signed by the clinician), refusals as DomainErrors. */
function queriesAs(contract: Contract): LedgerQueries {
  return {
    async evaluate(transaction, ...args) {
      try {
        return json(await contract.evaluateTransaction(transaction, ...args));
      } catch (err) {
        const details = (err as { details?: Array<{ message: string }> }).details?.map((d) => d.message).join('; ');
        throw new DomainError('CONFLICT', `${(err as Error).message}${details ? `: ${details}` : ''}`);
      }
    },
  };
}

/** What the sync engine does with the outbox: submits each queued row as the person who queued it. */
async function sendOutbox(contract: Contract): Promise<number> {
  const rows = await db.read((r) => r.all<{ seq: number; payload: string }>(sql`SELECT seq, payload FROM outbox WHERE state = 'queued' ORDER BY seq`));
  for (const row of rows) {
    const p = decodePayload(row.payload);
    const transientData = Object.fromEntries(Object.entries(p.transient ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    await contract.submit(p.transaction, { arguments: p.args, transientData });
    await db.write((w) => w.run(sql`UPDATE outbox SET state = 'committed' WHERE seq = ${row.seq}`));
  }
  return rows.length;
}

/** What the inbox does with a consent event: mirrors the consent (if granted to Hospital A) and, on revocation, purges. */
async function applyConsentEvent(name: 'Consent.Granted' | 'Consent.Revoked', consentId: string, reader: LedgerQueries): Promise<void> {
  const c = (await reader.evaluate('Consent:getConsent', consentId)) as { consentId: string; patientDid: string; status: string; granteeMspId: string };
  await db.write(async (w) => {
    if (c.granteeMspId === 'HospitalAMSP')
      await w.run(sql`INSERT INTO mirror_consent (consent_id, patient_did, status, record, block_number) VALUES (${c.consentId}, ${c.patientDid}, ${c.status}, ${JSON.stringify(c)}, 1)
                      ON CONFLICT (consent_id) DO UPDATE SET status = excluded.status, record = excluded.record`);
    if (name === 'Consent.Revoked')
      await chartRevocationApplier.apply(w, { name, payload: { consentId } } as never, {} as never);
  });
}

async function requestIdOf(entryId: string): Promise<string> {
  const row = await db.read((r) => r.get<{ entry_json: string }>(sql`SELECT entry_json FROM chart_access WHERE entry_id = ${entryId}`));
  return (JSON.parse(row!.entry_json) as { requestId: string }).requestId;
}

/** The workstation's chart service as services.ts wires it, on a test cache; `fetch` lets a test alter what arrives. */
function makeChart(
  clinician: NetworkBundle['identities'][number],
  reads: LedgerQueries,
  hospitalDid: string,
  fetchImpl?: typeof fetch,
): ChartService {
  const author = { identityId: carl.id, mspId: 'HospitalAMSP', certificatePem: clinician.certificatePem };
  return new ChartService({
    db,
    ledger: {
      transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))),
      online: () => true,
    },
    hospitalDid,
    hospitalMspId: () => 'HospitalAMSP',
    gatekeepers: new HttpRecordGatekeepers({
      ledger: () => reads,
      didWeb: new FileDidWebCache(paths().didWebCacheDir),
      identity: () => ({ certificatePem: clinician.certificatePem, privateKey: createPrivateKey(clinician.privateKeyPem) }),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    }),
    anchors: new LedgerAnchorVerifier(() => reads),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lane3b-online-'));
  ledger = await startDemoLedger(paths());
  bundle = JSON.parse(await readFile(ledger.bundleFile, 'utf8')) as NetworkBundle;
  const hospitalA = ledger.seed.hospitals.find((h) => h.mspId === 'HospitalAMSP')!;
  const hospitalB = ledger.seed.hospitals.find((h) => h.mspId === 'HospitalBMSP')!;
  const document = await new FileDidWebCache(paths().didWebCacheDir).get(hospitalB.did);
  gatekeeperB = document!.service!.find((s) => s.type === GATEKEEPER_SERVICE_TYPE)!.serviceEndpoint as string;
  mariaDid = ledger.seed.patients.find((p) => p.slug === 'maria-oliveira')!.did;
  const clinician = bundle.identities.find((i) => i.mspId === 'HospitalAMSP' && i.role === 'clinician')!;
  const reads = queriesAs(contractOf('HospitalAMSP', 'clinician'));
  db = await openChartCache(dir);
  patientId = await addPatient(db, { givenName: 'Maria', familyName: 'Oliveira', did: mariaDid, mrn: 'MRN-000101', admitted: false });
  chart = makeChart(clinician, reads, hospitalA.did);
}, 300_000);

afterAll(async () => {
  for (const c of connections) c.close();
  await db?.close();
  await ledger?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("Dr Carl's chart of Maria through the demo's record gatekeepers", () => {
  let consentId: string;

  it('shows her Hospital B records under the consent she posts from her wallet, anchors verified, the rest withheld', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runWalletCli(['grant', '--wallet', 'maria-oliveira', '--gatekeeper', gatekeeperB, '--home', paths().walletHome], io), lines.join('\n')).toBe(0);
    const reads = queriesAs(contractOf('HospitalAMSP', 'clinician'));
    const listed = (await reads.evaluate('Consent:listConsentsForPatient', mariaDid, '100', '')) as { records: Array<{ consentId: string; status: string; granteeMspId: string }> };
    const granted = listed.records.filter((c) => c.status === 'active' && c.granteeMspId === 'HospitalAMSP');
    expect(granted.length).toBeGreaterThan(0);
    consentId = granted.at(-1)!.consentId;
    for (const c of granted) await applyConsentEvent('Consent.Granted', c.consentId, reads);

    const opened = await chart.openChart(carl, { patientId, purpose: 'TREAT', refresh: true });
    const fromB = opened.entries.filter((e) => e.sourceMspId === 'HospitalBMSP');
    expect(opened.sources.find((s) => s.mspId === 'HospitalBMSP'), JSON.stringify(opened.sources)).toMatchObject({ state: 'fresh' });
    expect(fromB.length).toBeGreaterThan(5);
    expect(new Set(fromB.map((e) => e.category))).toEqual(new Set(opened.released.filter((c) => fromB.some((e) => e.category === c))));
    const anchors = fromB.map((e) => e.anchor);
    expect(anchors.filter((a) => a !== 'verified'), JSON.stringify(fromB.filter((e) => e.anchor !== 'verified').slice(0, 3))).toEqual([]);
    expect(opened.banners[0]).toMatchObject({ basis: 'consent' });
    // What her consent does not name is listed as withheld (the sensitive categories among them), never dropped.
    const covered = new Set(granted.flatMap((c) => (c as unknown as { categories: string[] }).categories));
    const withheld = opened.withheld.map((w) => w.category);
    expect(withheld).toEqual(expect.arrayContaining(['procedures', 'mental-health', 'substance-use', 'sexual-health', 'genetics']));
    for (const category of withheld) expect(covered.has(category), category).toBe(false);
    expect(opened.withheld.every((w) => w.reason.length > 20)).toBe(true);
    expect(fromB.some((e) => withheld.includes(e.category))).toBe(false);
    expect(fromB.some((e) => e.category === 'observations' && e.code !== null)).toBe(true);

    // Every view is on the ledger, beside B's release entry under the same request id.
    const views = await db.read((r) => r.all<{ entry_id: string }>(sql`SELECT entry_id FROM chart_access WHERE patient_did = ${mariaDid}`));
    expect(await sendOutbox(contractOf('HospitalAMSP', 'clinician'))).toBe(views.length);
    const requestId = await requestIdOf(opened.accessEntryId);
    const privacy = queriesAs(contractOf('HospitalAMSP', 'privacy'));
    const onLedger = ((await privacy.evaluate('Access:listAccessForRequest', requestId)) as { records: Array<{ entryId: string; staff: { mspId: string; role: string }; decision: string }> }).records;
    const viewerIds = onLedger.filter((e) => e.staff.role === 'clinician').map((e) => e.entryId);
    expect(viewerIds.sort()).toEqual(views.map((v) => v.entry_id).sort());
    expect(onLedger.filter((e) => e.staff.role === 'gatekeeper' && e.staff.mspId === 'HospitalBMSP').length).toBeGreaterThan(0);

    // Priya's access report: each view once, B's release folded into it (same request id), not a row of its own.
    const office = new PrivacyOffice({
      db,
      ledger: { transact: (work) => db.write((w) => work(w, () => Promise.resolve(0))) },
      queries: () => privacy,
      hospitalMspId: () => 'HospitalAMSP',
      hospitalName: 'Hospital A',
    });
    const report = await office.accessReport({ id: 'hospital-a-privacy', displayName: 'Priya Privacy' }, { patientId });
    expect(report.entries.filter((e) => e.role === 'gatekeeper')).toEqual([]);
    expect(report.entries.map((e) => e.entryId).sort()).toEqual(views.map((v) => v.entry_id).sort());
    expect(report.entries.find((e) => e.entryId === opened.accessEntryId)?.releasedBy).toContain('HospitalBMSP');
    expect(report.entries.every((e) => e.where === 'ledger')).toBe(true);
  });

  it('marks a record whose content differs from its ledger anchor as not matching the ledger, and keeps the others verified', async () => {
    const clinician = bundle.identities.find((i) => i.mspId === 'HospitalAMSP' && i.role === 'clinician')!;
    const hospitalA = ledger.seed.hospitals.find((h) => h.mspId === 'HospitalAMSP')!;
    let altered: string | null = null;
    // B's answer with one condition changed after it was anchored (same id, same version, other content).
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith(gatekeeperB) || !response.ok) return response;
      const body = (await response.json()) as { entry?: Array<{ resource?: { resourceType: string; id: string; note?: unknown } }> };
      const condition = body.entry?.find((e) => e.resource?.resourceType === 'Condition')?.resource;
      if (condition && altered === null) {
        condition.note = [{ text: 'Edited in the store after anchoring.' }];
        altered = `HospitalBMSP/Condition/${condition.id}`;
      }
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const tampered = makeChart(clinician, queriesAs(contractOf('HospitalAMSP', 'clinician')), hospitalA.did, tampering);
    const opened = await tampered.openChart(carl, { patientId, purpose: 'TREAT', refresh: true });
    expect(altered).not.toBeNull();
    const entry = opened.entries.find((e) => e.key === altered);
    expect(entry).toMatchObject({ anchor: 'mismatch' });
    expect(entry!.anchorNote).toMatch(/Does not match the ledger/);
    expect(opened.entries.filter((e) => e.sourceMspId === 'HospitalBMSP' && e.key !== altered && e.anchor !== 'verified')).toEqual([]);
    // Opened again untouched, the genuine record is verified again (the cache keeps what the hospital holds).
    const again = await chart.openChart(carl, { patientId, purpose: 'TREAT', refresh: true });
    expect(again.entries.find((e) => e.key === altered)).toMatchObject({ anchor: 'verified' });
    await sendOutbox(contractOf('HospitalAMSP', 'clinician'));
  });

  it("keeps a gatekeeper's release as its own row in the access report when no view of that request is on record", async () => {
    const clinician = bundle.identities.find((i) => i.mspId === 'HospitalAMSP' && i.role === 'clinician')!;
    // Records fetched straight from B's gatekeeper (not through the chart, so no view entry).
    const answer = await send(recordsUrl(gatekeeperB, { patient: mariaDid, purpose: 'TREAT', category: 'conditions' }), clinician);
    expect(answer.status).toBe(200);
    const office = new PrivacyOffice({
      db,
      ledger: { transact: (work) => db.write((w) => work(w, () => Promise.resolve(0))) },
      queries: () => queriesAs(contractOf('HospitalAMSP', 'privacy')),
      hospitalMspId: () => 'HospitalAMSP',
      hospitalName: 'Hospital A',
    });
    const report = await office.accessReport({ id: 'hospital-a-privacy', displayName: 'Priya Privacy' }, { patientId });
    const alone = report.entries.filter((e) => e.role === 'gatekeeper');
    expect(alone).toHaveLength(1);
    expect(alone[0]).toMatchObject({ hospitalMspId: 'HospitalBMSP', decision: 'allowed', categories: ['conditions'] });
  });

  it("closes the chart and purges her records once her revocation from home reaches the workstation", async () => {
    expect(consentId).toBeDefined();
    const before = await db.read((r) => r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_resource WHERE consent_id = ${consentId}`));
    expect(before!.n).toBeGreaterThan(0);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runWalletCli(['revoke-consent', '--wallet', 'maria-oliveira', '--consent', consentId, '--gatekeeper', gatekeeperB, '--home', paths().walletHome], io), lines.join('\n')).toBe(0);
    await applyConsentEvent('Consent.Revoked', consentId, queriesAs(contractOf('HospitalAMSP', 'clinician')));
    const after = await db.read((r) => r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_resource WHERE consent_id = ${consentId}`));
    expect(after!.n).toBe(0);
    const still = await chart.stillOpen(carl, { patientId, consentIds: [consentId], breakGlassSessionId: null });
    expect(still).toMatchObject({ open: false });
    const reopened = await chart.openChart(carl, { patientId, purpose: 'TREAT', refresh: true });
    expect(reopened.entries.filter((e) => e.sourceMspId === 'HospitalBMSP')).toEqual([]);
    expect(reopened.banners[0]).toMatchObject({ basis: 'none' });
  });
  it('opens her chart under emergency access after the revocation: Hospital B releases under break-the-glass, and both hospitals get an entry to review', async () => {
    const session = await chart.breakTheGlass(carl, { patientId, reasonCode: 'emergency-unconscious', note: 'Found unconscious in the car park; need her history before theatre.' });
    const opened = await chart.openChart(carl, { patientId, purpose: 'TREAT', refresh: true });
    expect(opened.banners[0]).toMatchObject({ basis: 'break-glass' });
    expect(opened.breakGlass?.sessionId).toBe(session.sessionId);
    const fromB = opened.entries.filter((e) => e.sourceMspId === 'HospitalBMSP');
    expect(fromB.length).toBeGreaterThan(5);
    expect(fromB.every((e) => e.basis === 'break-glass' && e.anchor === 'verified')).toBe(true);
    await sendOutbox(contractOf('HospitalAMSP', 'clinician'));
    const requestId = await requestIdOf(opened.accessEntryId);
    const officeOf = (mspId: string, role: string): PrivacyOffice =>
      new PrivacyOffice({
        db,
        ledger: { transact: (work) => db.write((w) => work(w, () => Promise.resolve(0))) },
        queries: () => queriesAs(contractOf(mspId, role)),
        hospitalMspId: () => mspId,
        hospitalName: mspId,
      });
    const priya = { id: 'privacy', displayName: 'Privacy officer' };
    const queueA = await officeOf('HospitalAMSP', 'privacy').reviewQueue(priya);
    expect(queueA.some((e) => e.entryId === opened.accessEntryId && e.breakGlassReason === 'emergency-unconscious')).toBe(true);
    const onLedger = ((await queriesAs(contractOf('HospitalBMSP', 'privacy')).evaluate('Access:listAccessForRequest', requestId)) as { records: Array<{ entryId: string; staff: { mspId: string; role: string } }> }).records;
    const releaseB = onLedger.find((e) => e.staff.role === 'gatekeeper' && e.staff.mspId === 'HospitalBMSP');
    expect(releaseB).toBeDefined();
    const queueB = await officeOf('HospitalBMSP', 'privacy').reviewQueue(priya);
    expect(queueB.map((e) => e.entryId)).toContain(releaseB!.entryId);
  });
});
