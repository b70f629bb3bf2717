import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { GOVERNANCE_DID, HOSPITAL_A_DID, initialisedLedger, instantiate } from './support/fixtures';
import { MemoryLedger } from './support/memory-ledger';

describe('Governance: initialisation and organisation registry', () => {
  it('makes the first governance-admin caller the governance body, once', async () => {
    const ledger = new MemoryLedger();
    const cc = instantiate();
    const { value, event } = await ledger.invoke(cc.Governance!, 'initialise', [JSON.stringify({ did: GOVERNANCE_DID, name: 'Gov' })], { as: 'GovernanceMSP/governance-admin' });
    assert.deepEqual((value as { config: unknown }).config, { governanceMspId: 'GovernanceMSP', initialisedAt: ledger.clock.toISOString() });
    assert.equal(event?.name, 'Governance.Initialised');
    await rejectsWith(ledger.invoke(cc.Governance!, 'initialise', [JSON.stringify({ did: HOSPITAL_A_DID, name: 'A' })], { as: 'HospitalAMSP/governance-admin' }), 'ALREADY_INITIALISED', 'GovernanceMSP');
  });

  it('refuses initialisation by an identity without the governance-admin role', async () => {
    const ledger = new MemoryLedger();
    const cc = instantiate();
    await rejectsWith(ledger.invoke(cc.Governance!, 'initialise', [JSON.stringify({ did: GOVERNANCE_DID, name: 'Gov' })], { as: 'GovernanceMSP/none' }), 'FORBIDDEN');
    assert.equal(ledger.state.size, 0);
  });

  it('refuses every write before initialisation with a clear message', async () => {
    const ledger = new MemoryLedger();
    const cc = instantiate();
    await rejectsWith(
      ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: HOSPITAL_A_DID, name: 'A' })], { as: 'GovernanceMSP/governance-admin' }),
      'NOT_INITIALISED',
    );
  });

  it('lets only the governance MSP register organisations, whatever role another MSP claims', async () => {
    const { ledger, cc } = await initialisedLedger();
    const org = JSON.stringify({ mspId: 'Hospital3MSP', kind: 'hospital', did: 'did:web:h3.example', name: 'H3' });
    // A hospital's certificate carrying the governance-admin role is still not the governance body.
    await rejectsWith(ledger.invoke(cc.Governance!, 'registerOrganisation', [org], { as: 'HospitalAMSP/governance-admin' }), 'FORBIDDEN', 'registered as a hospital');
    await rejectsWith(ledger.invoke(cc.Governance!, 'registerOrganisation', [org], { as: 'GovernanceMSP/clinician' }), 'FORBIDDEN', "role is 'clinician'");
    const { event } = await ledger.invoke(cc.Governance!, 'registerOrganisation', [org], { as: 'GovernanceMSP/governance-admin' });
    assert.equal(event?.name, 'Governance.OrganisationRegistered');
    const { value } = await ledger.invoke(cc.Governance!, 'getOrganisationByDid', ['did:web:h3.example'], { as: 'HospitalBMSP/clinician' });
    assert.equal((value as { mspId: string }).mspId, 'Hospital3MSP');
  });

  it('refuses a second organisation with the same MSP ID or DID, and unknown fields', async () => {
    const { ledger, cc } = await initialisedLedger();
    const as = 'GovernanceMSP/governance-admin';
    await rejectsWith(ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: 'did:web:x.example', name: 'X' })], { as }), 'ALREADY_EXISTS');
    await rejectsWith(ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId: 'XMSP', kind: 'hospital', did: HOSPITAL_A_DID, name: 'X' })], { as }), 'ALREADY_EXISTS', 'HospitalAMSP');
    await rejectsWith(ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId: 'XMSP', kind: 'pharmacy', did: 'did:web:x.example', name: 'X' })], { as }), 'INVALID_ARGUMENT', "'hospital'");
    await rejectsWith(ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId: 'XMSP', kind: 'hospital', did: 'did:web:x.example', name: 'X', note: 'extra' })], { as }), 'INVALID_ARGUMENT', 'organisation.note is not an accepted field');
  });

  it('updates an organisation DID and moves its DID index', async () => {
    const { ledger, cc } = await initialisedLedger();
    await ledger.invoke(cc.Governance!, 'updateOrganisation', [JSON.stringify({ mspId: 'HospitalAMSP', did: 'did:web:new-a.example', name: 'Hospital A' })], { as: 'GovernanceMSP/governance-admin' });
    await rejectsWith(ledger.invoke(cc.Governance!, 'getOrganisationByDid', [HOSPITAL_A_DID], { as: 'HospitalAMSP/clinician' }), 'NOT_FOUND');
    const { value } = await ledger.invoke(cc.Governance!, 'getOrganisationByDid', ['did:web:new-a.example'], { as: 'HospitalAMSP/clinician' });
    assert.equal((value as { mspId: string }).mspId, 'HospitalAMSP');
  });

  it('lists organisations page by page with Fabric bookmarks', async () => {
    const { ledger, cc } = await initialisedLedger();
    const first = await ledger.invoke<{ records: Array<{ mspId: string }>; bookmark: string }>(cc.Governance!, 'listOrganisations', ['3', ''], { as: 'InsurerMSP/claims' });
    assert.deepEqual(first.value.records.map((o) => o.mspId), ['GovernanceMSP', 'HospitalAMSP', 'HospitalBMSP']);
    assert.notEqual(first.value.bookmark, '');
    const second = await ledger.invoke<{ records: Array<{ mspId: string }>; bookmark: string }>(cc.Governance!, 'listOrganisations', ['3', first.value.bookmark], { as: 'InsurerMSP/claims' });
    assert.deepEqual(second.value.records.map((o) => o.mspId), ['InsurerMSP', 'MedicalBoardMSP']);
    assert.equal(second.value.bookmark, '');
    await rejectsWith(ledger.invoke(cc.Governance!, 'listOrganisations', ['0', ''], { as: 'InsurerMSP/claims' }), 'INVALID_ARGUMENT', 'pageSize');
  });

  it('tells a caller who the ledger thinks they are, from the certificate', async () => {
    const { ledger, cc } = await initialisedLedger();
    const { value } = await ledger.invoke<{ mspId: string; role: string; id: string; organisation: { kind: string } }>(cc.Governance!, 'whoAmI', [], { as: 'HospitalBMSP/privacy' });
    assert.equal(value.mspId, 'HospitalBMSP');
    assert.equal(value.role, 'privacy');
    assert.match(value.id, /^x509::\/CN=privacy\.hospitalbmsp/);
    assert.equal(value.organisation.kind, 'hospital');
  });
});
