/**
 * The admission channels through the workstation's one dispatcher (as Electron and the web
 * host call it): roles, request validation, clerk-readable errors, and responses that match
 * the contract (the dispatcher validates every response in tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../../src-main/ipc/dispatcher';
import { openWorkstation, PIN, type TestWorkstation } from '../foundation/support';

const ours: Caller = { transport: 'in-process', trusted: true, origin: 'test' };
let t: TestWorkstation;

beforeAll(async () => {
  t = await openWorkstation(['admissions', 'clinician', 'claims']);
});
afterAll(async () => {
  await t.dispose();
});

async function signInAs(role: 'admissions' | 'clinician' | 'claims'): Promise<void> {
  await t.ws.session.signOut();
  await t.ws.session.signIn({ identityId: t.staff[role]?.id as string, pin: PIN });
}

const call = (channel: string, payload: unknown) => t.ws.dispatcher.dispatch(channel, payload, ours);

describe('admission channels', () => {
  it('an admissions clerk registers an emergency patient, admits, and gets the wristband PDF; responses match the contract', async () => {
    await signInAs('admissions');
    const options = await call('admission.deskOptions', {});
    expect(options).toMatchObject({ ok: true, value: { hospitalDid: 'did:web:hospital-a.careledger.example' } });
    const patient = await call('patients.registerUnidentified', { gender: 'female', estimatedAgeYears: 30 });
    expect(patient.ok).toBe(true);
    const patientId = (patient as { value: { patientId: string } }).value.patientId;
    const admitted = await call('admission.admit', { patient: { patientId }, wardCode: 'W-104', bed: 'M01', attendingClinicianId: 'clin-santos', reason: 'Found unconscious' });
    expect(admitted).toMatchObject({ ok: true, value: { status: 'admitted', unverifiedIdentity: true, consent: { status: 'none' } } });
    const admissionId = (admitted as { value: { admissionId: string } }).value.admissionId;
    const band = await call('admission.wristband', { admissionId, format: 'label', print: true });
    // The web host and tests have no printer: the file comes back to be downloaded.
    expect(band).toMatchObject({ ok: true, value: { mimeType: 'application/pdf', printed: false } });
    expect(Buffer.from((band as { value: { pdfBase64: string } }).value.pdfBase64, 'base64').subarray(0, 8).toString()).toBe('%PDF-1.4');
    expect(await call('admission.list', {})).toMatchObject({ ok: true, value: [{ admissionId, bed: 'M01' }] });
  });

  it('refuses bad requests with a sentence, and a bad scan with the wallet code\'s reason', async () => {
    await signInAs('admissions');
    const missing = await call('admission.admit', { patient: { patientId: 'x' }, wardCode: 'W-101', attendingClinicianId: 'clin-okafor', reason: 'r' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const scan = await call('admission.scan', { text: 'https://example.com/not-a-wallet', source: 'scanner' });
    expect(scan).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { walletQrCode: 'BAD_PREFIX' } } });
    expect((scan as { error: { message: string } }).error.message).toContain('not a CareLedger wallet code');
    expect(await call('admission.override', { scanId: 'scan-x', reasons: ['clock-confirmed-correct'], note: 'short' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await call('admission.get', { admissionId: 'adm-missing' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a clinician may look up admissions and patients but not admit; other roles may not read them', async () => {
    await signInAs('clinician');
    expect((await call('admission.list', {})).ok).toBe(true);
    expect((await call('patients.search', { familyName: 'Unknown' })).ok).toBe(true);
    expect(await call('patients.registerUnidentified', { estimatedAgeYears: 50 })).toMatchObject({ ok: false, error: { code: 'ROLE_REFUSED' } });
    expect(await call('admission.scan', { text: 'CLW1:AA' })).toMatchObject({ ok: false, error: { code: 'ROLE_REFUSED' } });
    await signInAs('claims');
    expect(await call('admission.list', {})).toMatchObject({ ok: false, error: { code: 'ROLE_REFUSED' } });
  });
});
