import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { BOARD_DID, INSURER_DID, encodedStatusList, ed25519DidKey, initialisedLedger } from './support/fixtures';
import { type MemoryLedger } from './support/memory-ledger';
import { type Contracts } from './support/fixtures';

const GOV = 'GovernanceMSP/governance-admin';
const day = 86_400_000;

async function trustIssuers(ledger: MemoryLedger, cc: Contracts): Promise<void> {
  const validFrom = new Date(ledger.clock.getTime() - day).toISOString();
  await ledger.invoke(cc.TrustRegistry!, 'addIssuer', [JSON.stringify({ issuerDid: BOARD_DID, operatorMspId: 'MedicalBoardMSP', credentialTypes: ['MedicalLicenseCredential', 'BoardCertificationCredential'], validFrom })], { as: GOV });
  await ledger.invoke(cc.TrustRegistry!, 'addIssuer', [JSON.stringify({ issuerDid: INSURER_DID, operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom })], { as: GOV });
}

describe('TrustRegistry', () => {
  it('lets governance add, update and remove issuers, with events, and answers checkIssuer', async () => {
    const { ledger, cc } = await initialisedLedger();
    await trustIssuers(ledger, cc);
    const check = async (type: string, at = ''): Promise<{ trusted: boolean; reason: string }> => (await ledger.invoke<{ trusted: boolean; reason: string }>(cc.TrustRegistry!, 'checkIssuer', [BOARD_DID, type, at], { as: 'HospitalAMSP/credentialing' })).value;
    assert.deepEqual([(await check('MedicalLicenseCredential')).trusted, (await check('InsuranceCoverageCredential')).reason], [true, 'credential-type-not-allowed']);
    const removal = await ledger.invoke(cc.TrustRegistry!, 'removeIssuer', [BOARD_DID, 'Board merged into national register'], { as: GOV });
    assert.equal(removal.event?.name, 'TrustRegistry.IssuerRemoved');
    assert.equal((await check('MedicalLicenseCredential')).reason, 'removed');
    // Before its removal the issuer was trusted: old credentials can still be judged at their issue time.
    assert.equal((await check('MedicalLicenseCredential', new Date(ledger.clock.getTime() - 1000).toISOString())).trusted, true);
    await rejectsWith(ledger.invoke(cc.TrustRegistry!, 'updateIssuer', [JSON.stringify({ issuerDid: BOARD_DID, operatorMspId: 'MedicalBoardMSP', credentialTypes: ['X'], validFrom: ledger.clock.toISOString() })], { as: GOV }), 'INVALID_STATE');
    const page = await ledger.invoke<{ records: Array<{ issuerDid: string }> }>(cc.TrustRegistry!, 'listIssuers', ['10', ''], { as: 'HospitalAMSP/clinician' });
    assert.deepEqual(page.value.records.map((r) => r.issuerDid).sort(), [BOARD_DID, INSURER_DID].sort());
  });

  it('refuses registry writes from anyone but governance, and issuers operated by unknown orgs', async () => {
    const { ledger, cc } = await initialisedLedger();
    const entry = JSON.stringify({ issuerDid: 'did:web:fake-board.example', operatorMspId: 'HospitalAMSP', credentialTypes: ['MedicalLicenseCredential'], validFrom: ledger.clock.toISOString() });
    await rejectsWith(ledger.invoke(cc.TrustRegistry!, 'addIssuer', [entry], { as: 'HospitalAMSP/governance-admin' }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.TrustRegistry!, 'addIssuer', [entry.replace('HospitalAMSP', 'NobodyMSP')], { as: GOV }), 'NOT_FOUND', 'NobodyMSP');
    await ledger.invoke(cc.TrustRegistry!, 'addIssuer', [entry], { as: GOV });
    await rejectsWith(ledger.invoke(cc.TrustRegistry!, 'addIssuer', [entry], { as: GOV }), 'ALREADY_EXISTS');
  });
});

describe('Status lists', () => {
  it('lets the operating org of a trusted issuer publish its list, versioned, and answers bit checks', async () => {
    const { ledger, cc } = await initialisedLedger();
    await trustIssuers(ledger, cc);
    const list = { listId: 'board-revocation-1', issuerDid: BOARD_DID, statusPurpose: 'revocation', encodedList: encodedStatusList([5]) };
    const first = await ledger.invoke<{ version: number; bitLength: number }>(cc.Status!, 'publishStatusList', [JSON.stringify(list)], { as: 'MedicalBoardMSP/issuer' });
    assert.deepEqual([first.value.version, first.value.bitLength], [1, 131_072]);
    assert.equal(first.event?.name, 'Status.ListPublished');
    assert.equal((first.event?.payload.statusList as { encodedList: string }).encodedList, list.encodedList);
    const bit = async (index: string): Promise<boolean> => (await ledger.invoke<{ set: boolean }>(cc.Status!, 'checkStatus', ['urn:careledger:statuslist:board-revocation-1', index], { as: 'HospitalAMSP/credentialing' })).value.set;
    assert.deepEqual([await bit('5'), await bit('4'), await bit('131071')], [true, false, false]);
    const second = await ledger.invoke<{ version: number }>(cc.Status!, 'publishStatusList', [JSON.stringify({ ...list, encodedList: encodedStatusList([5, 131_071]) })], { as: 'MedicalBoardMSP/issuer' });
    assert.equal(second.value.version, 2);
    assert.equal(await bit('131071'), true);
    await rejectsWith(ledger.invoke(cc.Status!, 'checkStatus', ['board-revocation-1', '131072'], { as: 'HospitalAMSP/credentialing' }), 'INVALID_ARGUMENT', 'beyond the end');
    const mirror = await ledger.invoke<{ records: Array<{ listId: string }> }>(cc.Status!, 'listStatusLists', ['50', ''], { as: 'HospitalBMSP/credentialing' });
    assert.deepEqual(mirror.value.records.map((r) => r.listId), ['board-revocation-1']);
  });

  it("refuses an issuer revoking another issuer's credential", async () => {
    const { ledger, cc } = await initialisedLedger();
    await trustIssuers(ledger, cc);
    const boardList = { listId: 'board-revocation-1', issuerDid: BOARD_DID, statusPurpose: 'revocation', encodedList: encodedStatusList() };
    await ledger.invoke(cc.Status!, 'publishStatusList', [JSON.stringify(boardList)], { as: 'MedicalBoardMSP/issuer' });
    // The insurer org publishing under the board's DID: not the operator of that issuer.
    await rejectsWith(ledger.invoke(cc.Status!, 'publishStatusList', [JSON.stringify({ ...boardList, encodedList: encodedStatusList([1]) })], { as: 'InsurerMSP/issuer' }), 'FORBIDDEN', 'operated by MedicalBoardMSP');
    // The insurer, with its own trusted issuer DID, overwriting the board's list id.
    await rejectsWith(ledger.invoke(cc.Status!, 'publishStatusList', [JSON.stringify({ ...boardList, issuerDid: INSURER_DID, encodedList: encodedStatusList([1]) })], { as: 'InsurerMSP/issuer' }), 'FORBIDDEN', 'belongs to issuer');
    const stored = await ledger.invoke<{ version: number }>(cc.Status!, 'getStatusList', ['board-revocation-1'], { as: 'HospitalAMSP/clinician' });
    assert.equal(stored.value.version, 1);
    // The right org without the issuer role is refused too.
    await rejectsWith(ledger.invoke(cc.Status!, 'publishStatusList', [JSON.stringify(boardList)], { as: 'MedicalBoardMSP/credentialing' }), 'FORBIDDEN', "role 'issuer' or 'board-officer' or 'governance-admin'");
  });

  it('refuses lists from untrusted or removed issuers and badly encoded lists', async () => {
    const { ledger, cc } = await initialisedLedger();
    await trustIssuers(ledger, cc);
    const base = { listId: 'l1', issuerDid: BOARD_DID, statusPurpose: 'suspension' };
    const publish = (encodedList: string): Promise<unknown> => ledger.invoke(cc.Status!, 'publishStatusList', [JSON.stringify({ ...base, encodedList })], { as: 'MedicalBoardMSP/issuer' });
    await rejectsWith(publish(encodedStatusList([], 8 * 1024)), 'STATUS_LIST_INVALID', 'at least 131072');
    await rejectsWith(publish(`z${gzipSync(Buffer.alloc(16_384)).toString('base64url')}`), 'STATUS_LIST_INVALID', "starting with 'u'");
    await rejectsWith(publish(`u${gzipSync(Buffer.alloc(16_384)).toString('base64')}`), 'STATUS_LIST_INVALID');
    await rejectsWith(publish(`u${Buffer.alloc(16_384).toString('base64url')}`), 'STATUS_LIST_INVALID', 'not GZIP');
    // A zip bomb: 64 MiB of zeros compresses to ~64 KiB; the peer stops at its size limit.
    await rejectsWith(publish(`u${gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64url')}`), 'STATUS_LIST_INVALID', 'expands beyond');
    await ledger.invoke(cc.TrustRegistry!, 'removeIssuer', [BOARD_DID, 'compromised key'], { as: GOV });
    await rejectsWith(publish(encodedStatusList()), 'UNTRUSTED_ISSUER', 'removed');
  });
});

describe('Sanctions', () => {
  it('lets governance record and lift sanctions by DID or licence, and answers checks in time', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    const from = ledger.clock.toISOString();
    const added = await ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify({ sanctionId: 'S-1', subjectDid: doctor.did, licenseNumber: 'MD-12345', jurisdiction: 'NL', reason: 'Licence suspended by tribunal', from })], { as: GOV });
    assert.equal(added.event?.name, 'Sanctions.Added');
    const check = async (didArg: string, licence: string, at = ''): Promise<boolean> => (await ledger.invoke<{ sanctioned: boolean }>(cc.Sanctions!, 'checkSanctions', [didArg, licence, at], { as: 'HospitalAMSP/credentialing' })).value.sanctioned;
    assert.equal(await check(doctor.did, ''), true);
    assert.equal(await check('', 'MD-12345'), true);
    assert.equal(await check('', 'MD-99999'), false);
    assert.equal(await check(doctor.did, '', new Date(ledger.clock.getTime() - day).toISOString()), false);
    ledger.advance(day);
    await ledger.invoke(cc.Sanctions!, 'liftSanction', ['S-1', 'Appeal upheld'], { as: GOV });
    assert.equal(await check(doctor.did, ''), false);
    assert.equal(await check(doctor.did, '', new Date(ledger.clock.getTime() - 1000).toISOString()), true);
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'liftSanction', ['S-1', 'again'], { as: GOV }), 'INVALID_STATE');
  });

  it('refuses sanctions written by anyone but governance, and sanctions naming no one', async () => {
    const { ledger, cc } = await initialisedLedger();
    const sanction = { sanctionId: 'S-2', licenseNumber: 'MD-1', reason: 'x', from: ledger.clock.toISOString() };
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify(sanction)], { as: 'MedicalBoardMSP/credentialing' }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify({ ...sanction, licenseNumber: undefined })], { as: GOV }), 'INVALID_ARGUMENT', 'subjectDid, licenseNumber');
    await ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify(sanction)], { as: GOV });
    const page = await ledger.invoke<{ records: unknown[] }>(cc.Sanctions!, 'listSanctions', ['10', ''], { as: 'HospitalBMSP/credentialing' });
    assert.equal(page.value.records.length, 1);
  });
});
