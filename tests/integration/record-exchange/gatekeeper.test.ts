/**
 * Issue 10's "done when", on the devnet through the real Fabric Gateway: Hospital A's clinician
 * gets Maria's Hospital B records only for the categories and purpose she consented to; after
 * she revokes (from home, through B's gatekeeper), the next request is refused; break-the-glass
 * is released and flagged at both hospitals; every decision is on the ledger; a record altered
 * in B's store after anchoring fails the workstation's anchor check; a certificate of an
 * unregistered organisation is refused. Plus the faults: the backing store down, slow or not
 * FHIR, an invalid resource, the ledger unreachable (fail closed, break-glass offline).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { anchorCheckOf } from '../../../src-shared/records';
import {
  EmbeddedFhirStore,
  type GatekeeperLedger,
  type HospitalGatekeeper,
  LedgerUnavailable,
  RemoteFhirStore,
  serveFhirStore,
  startHospitalGatekeeper,
} from '../../../services/record-gatekeeper/src/index';
import { newPseudonymKey } from '../../../src-main/admission/pseudonym';
import { generatePatientRecords, loadRecords } from '../../../services/record-gatekeeper/src/demo-records';
import { runWalletCli } from '../../../tools/wallet/commands';
import { loadWallet, walletDir } from '../../../tools/wallet/store';
import { chaincodeDir, connectAs, type Connection, consentGrant, json, newPatient, productionPolicy, signJwt } from '../chaincode/support';
import { type StaffKey, refusalCode, recordsUrl, send } from './client';

const HOSPITAL_A_DID = 'did:web:hospital-a.example';
let devnet: RunningDevnet;
let workDir: string;
let gkA: HospitalGatekeeper;
let gkB: HospitalGatekeeper;
let storeB: EmbeddedFhirStore;
const connections: Connection[] = [];
const maria = newPatient();

const staff = (name: string): StaffKey => {
  const who = devnet.bundle.identities.find((i) => i.name === name);
  if (!who) throw new Error(`no identity ${name}`);
  return who;
};
function contractAs(name: string): Contract {
  const connection = connectAs(devnet.bundle, name);
  connections.push(connection);
  return connection.gateway.getNetwork(devnet.bundle.channel).getContract('careledger');
}
async function evaluate<T>(name: string, fn: string, ...args: string[]): Promise<T> {
  return json(await contractAs(name).evaluateTransaction(fn, ...args)) as T;
}
async function postJson(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
interface Entry {
  entryId: string;
  decision: string;
  requestId?: string;
  staff: { mspId: string; role: string };
  release?: { released: string[]; withheld: string[]; basis: string; requester: { mspId: string } };
}
async function entriesFor(requestId: string, as = 'a-privacy'): Promise<Entry[]> {
  return (await evaluate<{ records: Entry[] }>(as, 'Access:listAccessForRequest', requestId)).records;
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'lane2-exchange-'));
  const org = (mspId: string, kind: string, ids: Array<[string, string]>) => ({ mspId, kind, displayName: mspId, identities: ids.map(([name, role]) => ({ name, displayName: name, role })) });
  const config = {
    channel: 'careledger',
    bundleChaincode: 'careledger',
    orgs: [
      org('GovernanceMSP', 'governance', [['gov-admin', 'governance-admin']]),
      org('HospitalAMSP', 'hospital', [['a-clinician', 'clinician'], ['a-privacy', 'privacy'], ['a-admissions', 'admissions'], ['a-gatekeeper', 'gatekeeper']]),
      org('HospitalBMSP', 'hospital', [['b-clinician', 'clinician'], ['b-privacy', 'privacy'], ['b-gatekeeper', 'gatekeeper']]),
      org('InsurerMSP', 'insurer', [['insurer-claims', 'claims']]),
      // On the channel, but never registered by governance: its staff must get nothing.
      org('RogueClinicMSP', 'hospital', [['rogue-clinician', 'clinician']]),
    ],
    chaincodes: [{ name: 'careledger', packageDir: chaincodeDir, collectionsConfigPath: path.join(chaincodeDir, 'collections_config.json'), endorsementPolicy: productionPolicy() }],
    blockMaxTx: 20,
    blockTimeoutMs: 20,
  };
  const configPath = path.join(workDir, 'devnet.config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  devnet = await startDevnet({ dataDir: path.join(workDir, 'data'), configPath, port: 0, reset: true, logLevel: 'warn' });
  const gov = contractAs('gov-admin');
  await gov.submitTransaction('Governance:initialise', JSON.stringify({ did: 'did:web:governance.example', name: 'Governance' }));
  for (const [mspId, kind, did] of [
    ['HospitalAMSP', 'hospital', HOSPITAL_A_DID],
    ['HospitalBMSP', 'hospital', 'did:web:hospital-b.example'],
    ['InsurerMSP', 'insurer', 'did:web:insurer.example'],
  ] as const) {
    await gov.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId, kind, did, name: mspId }));
  }
  storeB = new EmbeddedFhirStore();
  await loadRecords(storeB, generatePatientRecords({ did: maria.did, givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', gender: 'female' }, { patientId: 'maria-b', hospitalName: 'Hospital B', days: 28 }));
  gkB = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalBMSP', store: storeB, pseudonymKeys: [newPseudonymKey()] });
  gkA = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalAMSP' });
}, 180_000);

afterAll(async () => {
  await gkA?.stop();
  await gkB?.stop();
  for (const c of connections) c.close();
  await devnet?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('record exchange between hospitals under the patient consent', () => {
  let consentId: string;

  it("records Maria's consent to Hospital A, posted by her wallet to Hospital B's gatekeeper", async () => {
    const grant = consentGrant(maria, HOSPITAL_A_DID, ['conditions', 'medications']);
    consentId = grant.jti;
    const answer = await postJson(`${gkB.baseUrl}/consent/grant`, { consentJwt: grant.jwt });
    expect(answer).toMatchObject({ status: 201, body: { consentId, status: 'active' } });
    // Posting it again is harmless; a JWT someone else signed is refused by the chaincode.
    expect((await postJson(`${gkB.baseUrl}/consent/grant`, { consentJwt: grant.jwt })).status).toBe(201);
    const forged = `${grant.jwt.split('.').slice(0, 2).join('.')}.${signJwt(newPatient(), { x: 1 }).split('.')[2]}`;
    const refused = await postJson(`${gkB.baseUrl}/consent/grant`, { consentJwt: forged });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('CONSENT_INVALID');
  });

  it('releases to A only the consented categories for the consented purpose, names the rest as withheld, and logs it first', async () => {
    const answer = await send(recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'TREAT', category: 'conditions,medications,observations,mental-health' }), staff('a-clinician'));
    expect(answer.status).toBe(200);
    expect(answer.decisions).toEqual({ conditions: 'released', medications: 'released', observations: 'withheld-consent', 'mental-health': 'withheld-consent' });
    const types = new Set(answer.resources.map((r) => r.resourceType));
    expect([...types].sort()).toEqual(['Condition', 'MedicationStatement']);
    // The depression and alcohol-use diagnoses carry sensitive labels the consent does not name.
    expect(answer.resources.filter((r) => r.resourceType === 'Condition')).toHaveLength(3);
    expect(answer.resources.some((r) => JSON.stringify(r.meta?.security ?? []).includes('"MH"'))).toBe(false);
    const releaseEntry = answer.headers.get('careledger-release-entry');
    expect(answer.headers.get('careledger-release-transaction')).toMatch(/^[0-9a-f]{64}$/);
    const logged = await entriesFor(answer.requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ entryId: releaseEntry, decision: 'allowed', staff: { mspId: 'HospitalBMSP', role: 'gatekeeper' }, release: { basis: 'consent', released: ['conditions', 'medications'], withheld: ['observations', 'mental-health'], requester: { mspId: 'HospitalAMSP' } } });
    // The viewer logs its own entry with the same request id: the access report shows one access.
    const view = { entryId: randomUUID(), requestId: answer.requestId, patientDid: maria.did, categories: ['conditions', 'medications'], purpose: 'TREAT', decision: 'allowed', consentId, accessedAt: new Date().toISOString() };
    await contractAs('a-clinician').submit('Access:logAccess', { transientData: { entry: JSON.stringify(view) } });
    expect((await entriesFor(answer.requestId)).map((e) => e.staff.role).sort()).toEqual(['clinician', 'gatekeeper']);
  });

  it('pages with next links, refreshes with _since and answers 304 to an unchanged ETag', async () => {
    const url = recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'TREAT', category: 'conditions,medications', _count: '2' });
    const first = await send(url, staff('a-clinician'));
    expect(first.resources).toHaveLength(2);
    expect(first.bundle.total).toBe(6);
    const next = first.bundle.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toBeDefined();
    const second = await send(next!, staff('a-clinician'));
    expect(second.resources).toHaveLength(2);
    expect(second.resources.map((r) => r.id)).not.toEqual(first.resources.map((r) => r.id));
    const etag = first.headers.get('etag')!;
    const again = await send(url, staff('a-clinician'), { extraHeaders: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const since = await send(recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'TREAT', category: 'conditions', _since: first.bundle.meta!.lastUpdated! }), staff('a-clinician'));
    expect([since.status, since.resources.length]).toEqual([200, 0]);
  });

  it('answers "nothing you may see" the same way whether B holds records or none, and logs the refusal', async () => {
    const stranger = newPatient();
    const research = await send(recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'HRESCH', category: 'conditions' }), staff('a-clinician'));
    const none = await send(recordsUrl(gkB.baseUrl, { patient: stranger.did, purpose: 'HRESCH', category: 'conditions' }), staff('a-clinician'));
    for (const answer of [research, none]) {
      expect([answer.status, answer.bundle.total, answer.resources.length]).toEqual([200, 0, 0]);
      expect(answer.decisions).toEqual({ conditions: 'withheld-consent' });
    }
    expect(research.outcome).toEqual(none.outcome);
    expect((await entriesFor(research.requestId, 'b-privacy'))[0]).toMatchObject({ decision: 'refused', release: { basis: 'none' } });
  });

  it('verifies every released record against its ledger anchor, and detects one altered in B after anchoring', async () => {
    await gkB.gatekeeper.anchorJob.runOnce();
    expect(gkB.gatekeeper.anchorJob.state.anchored).toBeGreaterThan(40);
    const url = recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'TREAT', category: 'conditions' });
    const before = await send(url, staff('a-clinician'));
    for (const resource of before.resources) {
      const check = (await anchorCheckOf(resource))!;
      expect((await evaluate<{ match: string }>('a-clinician', 'Records:verifyRecord', check.recordId, check.saltedHash)).match).toBe('latest');
    }
    const target = before.resources[0]!;
    await storeB.alterWithoutNewVersion('Condition', target.id!, (r) => ({ ...r, note: [{ text: 'added later, without a new version' }] }) as typeof r);
    const after = await send(url, staff('a-clinician'));
    const altered = after.resources.find((r) => r.id === target.id)!;
    const check = (await anchorCheckOf(altered))!;
    expect((await evaluate<{ match: string }>('a-clinician', 'Records:verifyRecord', check.recordId, check.saltedHash)).match).toBe('no-match');
    // The anchor job's audit pass never re-anchors that version: it reports it as tampered.
    await gkB.gatekeeper.anchorJob.audit();
    expect(gkB.gatekeeper.anchorJob.state.tampered.map((t) => t.reference)).toEqual([`Condition/${target.id}`]);
  });

  it('refuses the next request after Maria revokes from home', async () => {
    const revocation = signJwt(maria, { iss: maria.did, jti: `urn:uuid:${randomUUID()}`, iat: Math.floor(Date.now() / 1000), type: 'ConsentRevocation', consentId });
    expect(await postJson(`${gkB.baseUrl}/consent/revoke`, { revocationJwt: revocation })).toMatchObject({ status: 200, body: { status: 'revoked' } });
    const again = await postJson(`${gkB.baseUrl}/consent/revoke`, { revocationJwt: revocation });
    expect(again.status).toBe(409);
    const answer = await send(recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'TREAT', category: 'conditions,medications' }), staff('a-clinician'));
    expect([answer.status, answer.resources.length]).toEqual([200, 0]);
    expect(answer.decisions).toEqual({ conditions: 'withheld-consent', medications: 'withheld-consent' });
  });

  it('releases under break-the-glass and flags the release for review at both hospitals', async () => {
    const answer = await send(recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'ETREAT', category: 'allergies,medications', 'break-glass-reason': 'emergency-unconscious', 'break-glass-note-sha256': 'a'.repeat(64) }), staff('a-clinician'));
    expect(answer.status).toBe(200);
    expect(answer.decisions).toEqual({ allergies: 'released-break-glass', medications: 'released-break-glass' });
    expect(answer.resources.some((r) => r.resourceType === 'AllergyIntolerance')).toBe(true);
    const entryId = answer.headers.get('careledger-release-entry');
    for (const [who, msp] of [['a-privacy', 'HospitalAMSP'], ['b-privacy', 'HospitalBMSP']] as const) {
      const queue = await evaluate<{ records: Entry[] }>(who, 'Access:listAccessAwaitingReview', msp, '50', '');
      expect(queue.records.map((e) => e.entryId)).toContain(entryId);
    }
  });

  it('refuses certificates of an unregistered organisation, of an insurer, and roles other than clinical staff', async () => {
    const url = recordsUrl(gkB.baseUrl, { patient: maria.did, purpose: 'ETREAT', category: 'allergies', 'break-glass-reason': 'emergency-unconscious' });
    const rogue = await send(url, staff('rogue-clinician'));
    expect([rogue.status, refusalCode(rogue)]).toEqual([403, 'ORGANISATION_NOT_HOSPITAL']);
    const insurer = await send(url, staff('insurer-claims'));
    expect([insurer.status, refusalCode(insurer)]).toEqual([403, 'ORGANISATION_NOT_HOSPITAL']);
    const gatekeeperIdentity = await send(url, staff('a-gatekeeper'));
    expect([gatekeeperIdentity.status, refusalCode(gatekeeperIdentity)]).toEqual([403, 'ROLE_NOT_ALLOWED']);
  });

  it("releases a hospital's own records to its own clinicians during an open admission, never the sensitive ones", async () => {
    const keys = [newPseudonymKey()];
    const store = new EmbeddedFhirStore();
    const tomasz = newPatient();
    await loadRecords(store, generatePatientRecords({ did: tomasz.did, givenName: 'Tomasz', familyName: 'Nowak', birthDate: '1971-11-19', gender: 'male' }, { patientId: 'tomasz-a', hospitalName: 'Hospital A', days: 7 }));
    const own = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalAMSP', store, pseudonymKeys: keys });
    try {
      const url = recordsUrl(own.baseUrl, { patient: tomasz.did, purpose: 'TREAT', category: 'conditions,mental-health' });
      expect((await send(url, staff('a-clinician'))).decisions).toEqual({ conditions: 'withheld-consent', 'mental-health': 'withheld-consent' });
      const { hospitalPseudonym } = await import('../../../src-main/admission/pseudonym');
      const event = { encounterId: `enc-${randomUUID()}`, patientPseudonym: hospitalPseudonym(keys[0]!, tomasz.did), eventType: 'admit', wardCode: 'W3', occurredAt: new Date().toISOString() };
      await contractAs('a-admissions').submit('Admissions:recordAdmissionEvent', { transientData: { event: JSON.stringify(event) } });
      const admitted = await send(url, staff('a-clinician'));
      expect(admitted.decisions).toEqual({ conditions: 'released', 'mental-health': 'withheld-consent' });
      expect(admitted.resources.filter((r) => r.resourceType === 'Condition')).toHaveLength(3);
      expect((await entriesFor(admitted.requestId))[0]?.release?.basis).toBe('own-admission');
      // Another hospital's clinician is not covered by A's admission.
      expect((await send(url, staff('b-clinician'))).resources).toHaveLength(0);
    } finally {
      await own.stop();
    }
  });
});

describe("the patient's wallet, from home", () => {
  it('grants and revokes through a hospital gatekeeper with npm run wallet -- grant / revoke consent', async () => {
    const home = path.join(workDir, 'wallet-home');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
    expect(await runWalletCli(['new-patient', '--name', 'Grace Mensah', '--birth-date', '1993-07-08', '--slug', 'grace', '--bare', '--home', home], io)).toBe(0);
    expect(await runWalletCli(['consent', '--wallet', 'grace', '--grantee', HOSPITAL_A_DID, '--purpose', 'TREAT', '--categories', 'conditions', '--home', home], io)).toBe(0);
    expect(await runWalletCli(['grant', '--wallet', 'grace', '--gatekeeper', gkB.baseUrl, '--home', home], io), lines.join('\n')).toBe(0);
    expect(lines.at(-1)).toMatch(/is active on the ledger/);
    const grace = await loadWallet(walletDir(home, 'grace'));
    const url = recordsUrl(gkB.baseUrl, { patient: grace.did, purpose: 'TREAT', category: 'conditions' });
    expect((await send(url, staff('a-clinician'))).decisions).toEqual({ conditions: 'released' });
    expect(await runWalletCli(['revoke', 'consent', '--wallet', 'grace', '--gatekeeper', gkB.baseUrl, '--home', home], io), lines.join('\n')).toBe(0);
    expect(lines.at(-1)).toMatch(/is revoked on the ledger/);
    expect((await send(url, staff('a-clinician'))).decisions).toEqual({ conditions: 'withheld-consent' });
    // A gatekeeper that cannot be reached: a clear sentence, and the exit code says it failed.
    expect(await runWalletCli(['grant', '--wallet', 'grace', '--gatekeeper', 'http://127.0.0.1:9/fhir', '--home', home], io)).toBe(1);
    expect(lines.at(-1)).toMatch(/^ERR .*cannot be reached.*nothing was recorded/);
  });
});

describe('faults: the backing store and the ledger', () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });
  async function fakeServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/fhir`;
  }
  const breakGlassUrl = (base: string): string => recordsUrl(base, { patient: maria.did, purpose: 'ETREAT', category: 'conditions', 'break-glass-reason': 'emergency-life-threatening' });

  it('serves the same records from a FHIR server reached over HTTP as from the embedded store', async () => {
    const served = await serveFhirStore(storeB);
    const remote = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalBMSP', store: new RemoteFhirStore(served.baseUrl) });
    try {
      const viaHttp = await send(breakGlassUrl(remote.baseUrl), staff('a-clinician'));
      const embedded = await send(breakGlassUrl(gkB.baseUrl), staff('a-clinician'));
      expect(viaHttp.status).toBe(200);
      expect(viaHttp.resources.map((r) => r.id).sort()).toEqual(embedded.resources.map((r) => r.id).sort());
    } finally {
      await remote.stop();
      await served.close();
    }
  });

  it('answers 503, 504 and 502 when the store is down, too slow, or not FHIR, releasing nothing', async () => {
    const slow = await fakeServer(() => undefined);
    const garbage = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end('{"resourceType":"Banana"}');
    });
    const cases: Array<[string, RemoteFhirStore, number, string]> = [
      ['down', new RemoteFhirStore('http://127.0.0.1:9/fhir'), 503, 'BACKEND_UNAVAILABLE'],
      ['slow', new RemoteFhirStore(slow, { timeoutMs: 500 }), 504, 'BACKEND_TIMEOUT'],
      ['garbage', new RemoteFhirStore(garbage), 502, 'BACKEND_INVALID'],
    ];
    for (const [name, store, status, code] of cases) {
      const gk = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalBMSP', store });
      try {
        const answer = await send(breakGlassUrl(gk.baseUrl), staff('a-clinician'));
        expect([name, answer.status, refusalCode(answer)]).toEqual([name, status, code]);
      } finally {
        await gk.stop();
      }
    }
  });

  it('withholds and reports a resource that is not valid FHIR instead of passing it on', async () => {
    const store = new EmbeddedFhirStore();
    await loadRecords(store, generatePatientRecords({ did: maria.did, givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', gender: 'female' }, { patientId: 'maria-x', hospitalName: 'Hospital B', days: 0, sensitive: false }));
    const condition = (await store.searchForPatient('Condition', 'maria-x'))[0]!;
    await store.alterWithoutNewVersion('Condition', condition.id!, (r) => ({ ...r, onsetDateTime: 'last tuesday' }) as typeof r);
    const gk = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalBMSP', store });
    try {
      const answer = await send(breakGlassUrl(gk.baseUrl), staff('a-clinician'));
      expect(answer.status).toBe(200);
      expect(answer.resources.map((r) => r.id)).not.toContain(condition.id);
      expect(answer.resources.filter((r) => r.resourceType === 'Condition')).toHaveLength(2);
      const issue = answer.outcome.issue.find((i) => i.code === 'invalid');
      expect(issue?.expression).toEqual([`Condition/${condition.id}`]);
    } finally {
      await gk.stop();
    }
  });

  it('fails closed when the ledger cannot be reached, except break-the-glass, which is kept and put on the ledger later', async () => {
    let down = false;
    const real = gkB.ledger;
    const flaky: GatekeeperLedger = {
      mspId: real.mspId,
      organisation: (m) => real.organisation(m),
      channelMsps: () => real.channelMsps(),
      checkConsents: (...a) => (down ? Promise.reject(new LedgerUnavailable('peer down')) : real.checkConsents(...a)),
      openEncounter: (p) => (down ? Promise.reject(new LedgerUnavailable('peer down')) : real.openEncounter(p)),
      logRelease: (e) => (down ? Promise.reject(new LedgerUnavailable('peer down')) : real.logRelease(e)),
      anchorRecords: (a) => real.anchorRecords(a),
      anchorOfflineBatch: (b) => (down ? Promise.reject(new LedgerUnavailable('peer down')) : real.anchorOfflineBatch(b)),
      recordConsent: (j) => (down ? Promise.reject(new LedgerUnavailable('peer down')) : real.recordConsent(j)),
      revokeConsent: (j) => (down ? Promise.reject(new LedgerUnavailable('peer down')) : real.revokeConsent(j)),
      close: () => undefined,
    };
    const gk = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalBMSP', store: storeB, ledger: flaky, offlineLogPath: path.join(workDir, 'offline.jsonl') });
    try {
      // Warm the trust caches (channel configuration, registry) while the ledger is up.
      expect((await send(breakGlassUrl(gk.baseUrl), staff('a-clinician'))).status).toBe(200);
      down = true;
      const treat = await send(recordsUrl(gk.baseUrl, { patient: maria.did, purpose: 'TREAT', category: 'conditions' }), staff('a-clinician'));
      expect([treat.status, refusalCode(treat), treat.headers.get('retry-after')]).toEqual([503, 'LEDGER_UNAVAILABLE', '30']);
      expect(JSON.stringify(treat.body)).toContain('Cannot check consent now');
      const consent = await fetch(`${gk.baseUrl}/consent/grant`, { method: 'POST', body: JSON.stringify({ consentJwt: consentGrant(maria, HOSPITAL_A_DID, ['conditions']).jwt }) });
      expect(consent.status).toBe(503);
      const emergency = await send(breakGlassUrl(gk.baseUrl), staff('a-clinician'));
      expect([emergency.status, emergency.headers.get('careledger-release-transaction')]).toEqual([200, 'offline']);
      expect(gk.gatekeeper.pendingOffline).toBe(1);
      down = false;
      await gk.gatekeeper.flushOffline();
      expect(gk.gatekeeper.pendingOffline).toBe(0);
      expect((await entriesFor(emergency.requestId, 'b-privacy'))[0]).toMatchObject({ release: { basis: 'break-glass' } });
    } finally {
      await gk.stop();
    }
  });
});
