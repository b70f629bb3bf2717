/**
 * The hospitals-only layout (docs/privacy-layout.md): consents, access entries, record anchors
 * and admissions reach other organisations only as ids and hashes, and only hospitals read them.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { consentJwt, ed25519DidKey, hospitalPseudonym, initialisedLedger, revocationJwt } from './support/fixtures';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

async function careDay(): Promise<{ ledger: Awaited<ReturnType<typeof initialisedLedger>>['ledger']; cc: Awaited<ReturnType<typeof initialisedLedger>>['cc']; patient: ReturnType<typeof ed25519DidKey>; pseudonym: string; jti: string; encounterId: string; results: unknown[] }> {
  const { ledger, cc } = await initialisedLedger();
  const patient = ed25519DidKey();
  const pseudonym = hospitalPseudonym();
  const encounterId = randomUUID();
  const { jwt, jti } = consentJwt(patient, ledger.clock, { purposeOfUse: ['TREAT'], categories: ['medications'] });
  const results: unknown[] = [];
  const run = async (contract: string, fn: string, as: string, transient: Record<string, string>, args: string[] = []): Promise<void> => {
    results.push((await ledger.invoke(cc[contract]!, fn, args, { as, transient })).value);
  };
  await run('Consent', 'recordConsent', 'HospitalAMSP/admissions', { consentJwt: jwt });
  await run('Admissions', 'recordAdmissionEvent', 'HospitalAMSP/admissions', { event: JSON.stringify({ encounterId, patientPseudonym: pseudonym, eventType: 'admit', wardCode: 'ONC-2', bed: 'B07', occurredAt: ledger.clock.toISOString() }) });
  await run('Access', 'logAccess', 'HospitalAMSP/clinician', { entry: JSON.stringify({ entryId: 'e-1', patientDid: patient.did, categories: ['medications'], purpose: 'TREAT', decision: 'allowed', consentId: jti, accessedAt: ledger.clock.toISOString() }) });
  await run('Access', 'logAccess', 'HospitalAMSP/clinician', { entry: JSON.stringify({ entryId: 'btg-1', patientDid: patient.did, categories: ['allergies'], purpose: 'ETREAT', decision: 'allowed', breakGlass: { reasonCode: 'emergency-unconscious', noteSha256: sha('note') }, accessedAt: ledger.clock.toISOString() }) });
  await run('Records', 'anchorRecord', 'HospitalAMSP/clinician', { anchor: JSON.stringify({ recordId: 'obs-1', patientPseudonym: pseudonym, saltedHash: sha('r1'), category: 'observations' }) });
  ledger.advance(60_000);
  await run('Consent', 'revokeConsent', 'HospitalAMSP/privacy', { revocationJwt: revocationJwt(patient, ledger.clock, jti) });
  return { ledger, cc, patient, pseudonym, jti, encounterId, results };
}

describe('privacy: what every organisation receives', () => {
  it('keeps patient DIDs, pseudonyms, ward and bed codes, scopes and staff out of public state, events and results', async () => {
    const { ledger, patient, pseudonym, results } = await careDay();
    const secrets = [patient.did, pseudonym, 'ONC-2', 'B07', 'medications', 'allergies', 'TREAT', 'emergency-unconscious', 'CN=clinician', 'CN=admissions'];
    const published = [
      ...[...ledger.state.entries()].map(([k, v]) => `${k} ${v.toString('utf8')}`),
      ...ledger.events.map((e) => `${e.name} ${JSON.stringify(e.payload)}`),
      ...results.map((r) => JSON.stringify(r)),
    ].join('\n');
    for (const secret of secrets) assert.equal(published.includes(secret), false, `${secret} is readable by every organisation`);
    // ...while the hospitals' collection holds them for hospital peers.
    const collection = [...(ledger.privateState.get('hospitals')?.entries() ?? [])].map(([k, v]) => `${k} ${v.toString('utf8')}`).join('\n');
    for (const secret of [patient.did, pseudonym, 'ONC-2', 'B07', 'medications']) assert.ok(collection.includes(secret), `${secret} is kept in the hospitals collection`);
    for (const event of ledger.events.filter((e) => /^(Consent|Access|Records|Admissions)\./.test(e.name))) assert.deepEqual(Object.keys(event.payload).filter((k) => !['consentId', 'entryId', 'recordId', 'encounterId', 'sequence', 'version', 'mspId', 'status', 'sha256'].includes(k)), [], `${event.name} carries ids and hashes only`);
  });

  it('refuses every consent, access, record and admission read to insurers, the medical board and governance', async () => {
    const { ledger, cc, patient, pseudonym, jti, encounterId } = await careDay();
    const reads: Array<[string, string, string[]]> = [
      ['Consent', 'getConsent', [jti]],
      ['Consent', 'checkConsent', [patient.did, 'HospitalAMSP', 'TREAT', 'medications', '']],
      ['Consent', 'listConsentsForPatient', [patient.did, '10', '']],
      ['Access', 'getAccessEntry', ['e-1']],
      ['Access', 'listAccessForPatient', [patient.did, '10', '']],
      ['Access', 'listAccessAwaitingReview', ['HospitalAMSP', '10', '']],
      ['Access', 'getOfflineBatch', ['HospitalAMSP', 'b-1']],
      ['Records', 'getRecordAnchor', ['obs-1']],
      ['Records', 'verifyRecord', ['obs-1', sha('r1')]],
      ['Records', 'listRecordVersions', ['obs-1', '10', '']],
      ['Admissions', 'getEncounter', [encounterId]],
      ['Admissions', 'listEncounterEvents', [encounterId, '10', '']],
      ['Admissions', 'listEncountersForPseudonym', [pseudonym, '10', '']],
    ];
    // An insurer identity that claims a hospital role is refused by its organisation's kind, not its role.
    for (const as of ['InsurerMSP/claims', 'InsurerMSP/admissions', 'MedicalBoardMSP/credentialing', 'GovernanceMSP/clinician', 'GovernanceMSP/governance-admin']) {
      for (const [contract, fn, args] of reads) await rejectsWith(ledger.invoke(cc[contract]!, fn, args, { as }), 'FORBIDDEN', 'of a hospital');
    }
    // Another hospital checks an anchor (a record it received from this one).
    assert.equal((await ledger.invoke<{ match: string }>(cc.Records!, 'verifyRecord', ['obs-1', sha('r1')], { as: 'HospitalBMSP/clinician' })).value.match, 'latest');
  });

  it("keeps one hospital's consents, access entries and admissions from another, until the patient consents to it", async () => {
    const { ledger, cc, patient, pseudonym, jti, encounterId } = await careDay();
    const B = 'HospitalBMSP/clinician';
    await rejectsWith(ledger.invoke(cc.Consent!, 'getConsent', [jti], { as: B }), 'FORBIDDEN', 'names another hospital');
    await rejectsWith(ledger.invoke(cc.Access!, 'getAccessEntry', ['e-1'], { as: B }), 'FORBIDDEN', 'has not consented to yours');
    await rejectsWith(ledger.invoke(cc.Access!, 'listAccessAwaitingReview', ['HospitalAMSP', '10', ''], { as: 'HospitalBMSP/privacy' }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Access!, 'getOfflineBatch', ['HospitalAMSP', 'b-1'], { as: B }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'getEncounter', [encounterId], { as: B }), 'FORBIDDEN', "another hospital's");
    await rejectsWith(ledger.invoke(cc.Admissions!, 'listEncounterEvents', [encounterId, '10', ''], { as: B }), 'FORBIDDEN');
    type Page = { records: Array<Record<string, unknown>> };
    const list = async (contract: string, fn: string, args: string[]): Promise<Page> => (await ledger.invoke<Page>(cc[contract]!, fn, args, { as: B })).value;
    assert.deepEqual((await list('Admissions', 'listEncountersForPseudonym', [pseudonym, '10', ''])).records, []);
    assert.deepEqual((await list('Consent', 'listConsentsForPatient', [patient.did, '10', ''])).records, []);
    assert.deepEqual((await list('Access', 'listAccessForPatient', [patient.did, '10', ''])).records, []);
    // The patient consents to Hospital B: B now serves them, sees the consent naming it and the
    // patient's whole access log (the access report), but still not A's consent or admissions.
    const atB = consentJwt(patient, ledger.clock, { grantee: 'did:web:hospital-b.example', categories: ['imaging'] });
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { as: 'HospitalBMSP/admissions', transient: { consentJwt: atB.jwt } });
    assert.deepEqual((await list('Consent', 'listConsentsForPatient', [patient.did, '10', ''])).records.map((c) => c['consentId']), [atB.jti]);
    assert.deepEqual((await list('Access', 'listAccessForPatient', [patient.did, '10', ''])).records.map((e) => e['entryId']).sort(), ['btg-1', 'e-1']);
    assert.equal((await ledger.invoke<{ entryId: string }>(cc.Access!, 'getAccessEntry', ['e-1'], { as: B })).value.entryId, 'e-1');
    await rejectsWith(ledger.invoke(cc.Consent!, 'getConsent', [jti], { as: B }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'getEncounter', [encounterId], { as: B }), 'FORBIDDEN');
  });

  it('takes private inputs only from the transient map, with a sentence saying so', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    // A caller that still sends the JWT as an argument sends nothing in the transient map: refused before anything is written.
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [consentJwt(patient, ledger.clock).jwt], { as: 'HospitalAMSP/admissions' }), 'INVALID_ARGUMENT', 'transient map under "consentJwt"');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { as: 'HospitalAMSP/admissions' }), 'INVALID_ARGUMENT', 'transient map under "event"');
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { as: 'HospitalAMSP/clinician', transient: { entry: '{not json' } }), 'INVALID_ARGUMENT', 'not valid JSON');
    assert.equal(ledger.privateState.size, 0);
  });

  it('refuses a wallet DID where a hospital pseudonym belongs', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    await rejectsWith(
      ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { as: 'HospitalAMSP/admissions', transient: { event: JSON.stringify({ encounterId: 'enc-1', patientPseudonym: patient.did, eventType: 'admit', occurredAt: ledger.clock.toISOString() }) } }),
      'INVALID_ARGUMENT',
      'never a DID',
    );
    await rejectsWith(
      ledger.invoke(cc.Records!, 'anchorRecord', [], { as: 'HospitalAMSP/clinician', transient: { anchor: JSON.stringify({ recordId: 'r-1', patientDid: patient.did, saltedHash: sha('x') }) } }),
      'INVALID_ARGUMENT',
    );
  });

  it('needs the pseudonym to admit; a transfer or discharge may omit it (a key rotated during the stay) but not change it', async () => {
    const { ledger, cc } = await initialisedLedger();
    const pseudonym = hospitalPseudonym(1);
    const event = (extra: object): { as: string; transient: Record<string, string> } => ({ as: 'HospitalAMSP/admissions', transient: { event: JSON.stringify({ encounterId: 'enc-9', occurredAt: ledger.clock.toISOString(), ...extra }) } });
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], event({ eventType: 'admit' })), 'INVALID_ARGUMENT', 'patientPseudonym');
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], event({ eventType: 'admit', patientPseudonym: pseudonym, wardCode: 'W1' }));
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], event({ eventType: 'transfer', wardCode: 'W2', patientPseudonym: hospitalPseudonym(2) })), 'INVALID_ARGUMENT', 'another patient');
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], event({ eventType: 'discharge' }));
    const events = (await ledger.invoke<{ records: Array<{ eventType: string; patientPseudonym: string }> }>(cc.Admissions!, 'listEncounterEvents', ['enc-9', '10', ''], { as: 'HospitalAMSP/admissions' })).value.records;
    assert.deepEqual(events.map((e) => [e.eventType, e.patientPseudonym]), [['admit', pseudonym], ['discharge', pseudonym]]);
  });

  it('keeps a break-the-glass note in the collection until the privacy officer purges it; the log keeps its hash', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const note = 'Found unconscious in the car park; partner at the desk asked us to check allergies.';
    const entry = (noteSha256: string): string =>
      JSON.stringify({ entryId: 'btg-9', patientDid: patient.did, categories: ['allergies'], purpose: 'ETREAT', decision: 'allowed', breakGlass: { reasonCode: 'emergency-unconscious', noteSha256 }, accessedAt: ledger.clock.toISOString() });
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { as: 'HospitalAMSP/clinician', transient: { entry: entry(sha('another text')), breakGlassNote: note } }), 'INVALID_ARGUMENT', 'SHA-256 of the note');
    await ledger.invoke(cc.Access!, 'logAccess', [], { as: 'HospitalAMSP/clinician', transient: { entry: entry(sha(note)), breakGlassNote: note } });
    const inPublic = [...ledger.state.values(), ...ledger.events.map((e) => Buffer.from(JSON.stringify(e.payload)))].some((v) => v.toString('utf8').includes('car park'));
    assert.equal(inPublic, false);
    const collection = (): string => [...(ledger.privateState.get('hospitals')?.values() ?? [])].map((v) => v.toString('utf8')).join('\n');
    assert.ok(collection().includes('car park'));
    assert.equal((await ledger.invoke<{ note: string }>(cc.Access!, 'getBreakGlassNote', ['btg-9'], { as: 'HospitalAMSP/privacy' })).value.note, note);
    for (const as of ['HospitalAMSP/clinician', 'HospitalBMSP/privacy', 'InsurerMSP/claims']) {
      await rejectsWith(ledger.invoke(cc.Access!, 'getBreakGlassNote', ['btg-9'], { as }), 'FORBIDDEN');
      await rejectsWith(ledger.invoke(cc.Access!, 'purgeBreakGlassNote', ['btg-9'], { as }), 'FORBIDDEN');
    }
    const purged = await ledger.invoke(cc.Access!, 'purgeBreakGlassNote', ['btg-9'], { as: 'HospitalAMSP/privacy' });
    assert.equal(purged.event?.name, 'Access.NotePurged');
    assert.equal(collection().includes('car park'), false);
    const kept = (await ledger.invoke<{ breakGlass: { noteSha256: string }; notePurgedAt?: string }>(cc.Access!, 'getAccessEntry', ['btg-9'], { as: 'HospitalAMSP/privacy' })).value;
    assert.deepEqual([kept.breakGlass.noteSha256, typeof kept.notePurgedAt], [sha(note), 'string']);
    await rejectsWith(ledger.invoke(cc.Access!, 'getBreakGlassNote', ['btg-9'], { as: 'HospitalAMSP/privacy' }), 'NOT_FOUND', 'was purged');
    await rejectsWith(ledger.invoke(cc.Access!, 'purgeBreakGlassNote', ['btg-9'], { as: 'HospitalAMSP/privacy' }), 'INVALID_STATE', 'already purged');
  });

  it('pages private lists with a bookmark, and refuses a bookmark of another list', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    for (let i = 0; i < 5; i++) {
      ledger.advance(1_000);
      await ledger.invoke(cc.Access!, 'logAccess', [], { as: 'HospitalAMSP/clinician', transient: { entry: JSON.stringify({ entryId: `e-${i}`, patientDid: patient.did, categories: ['allergies'], purpose: 'TREAT', decision: 'refused', accessedAt: ledger.clock.toISOString() }) } });
    }
    type Page = { records: Array<{ entryId: string }>; bookmark: string; fetchedRecordsCount: number };
    const page = async (bookmark: string): Promise<Page> => (await ledger.invoke<Page>(cc.Access!, 'listAccessForPatient', [patient.did, '2', bookmark], { as: 'HospitalAMSP/privacy' })).value;
    const seen: string[] = [];
    let bookmark = '';
    let pages = 0;
    do {
      const p = await page(bookmark);
      seen.push(...p.records.map((r) => r.entryId));
      bookmark = p.bookmark;
      pages++;
    } while (bookmark !== '');
    assert.deepEqual([seen, pages], [['e-0', 'e-1', 'e-2', 'e-3', 'e-4'], 3]);
    const other = ed25519DidKey();
    const first = await page('');
    await rejectsWith(ledger.invoke(cc.Access!, 'listAccessForPatient', [other.did, '2', first.bookmark], { as: 'HospitalAMSP/privacy' }), 'INVALID_ARGUMENT', 'bookmark');
  });
});
