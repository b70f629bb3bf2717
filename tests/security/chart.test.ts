/**
 * Hostile cases of the chart and the privacy office (issue 11):
 * - every role but clinician is refused the chart's channels, and every role but privacy the
 *   privacy office's (the refusal is recorded); the handler never runs;
 * - a privacy officer cannot review another hospital's access entry: refused with a sentence,
 *   nothing queued for the ledger;
 * - an allowed view cannot be written without its access entry: a failure while logging rolls the
 *   whole view back (no records returned, no half-logged view).
 */
import { describe, expect, it, vi } from 'vitest';
import { STAFF_ROLES, type StaffIdentitySummary } from '../../src-shared/ipc/contract';
import { createDispatcher, type SessionGate } from '../../src-main/ipc/dispatcher';
import { ours, recordingHandlers } from './support';
import { sql } from '../../src-main/cache/sql';
import { DomainError } from '../../src-main/errors';
import { PrivacyOffice } from '../../src-main/records/privacy-office';
import { CARL, HOSPITAL_A, addPatient, makeWard, mirrorConsent, outbox } from '../integration/records/support';


describe('chart and privacy office: roles', () => {
  it('refuses records.* to every role but clinician and privacy.* to every role but privacy', async () => {
    const { handlers, ran } = recordingHandlers();
    for (const role of STAFF_ROLES) {
      const staff: StaffIdentitySummary = {
        id: `${role}-1`,
        displayName: role,
        mspId: 'HospitalAMSP',
        role,
        organisationKind: 'hospital',
        notAfter: '2030-01-01T00:00:00.000Z',
      };
      const refusals: string[] = [];
      const gate: SessionGate = {
        current: () => ({ status: 'signed-in', identity: staff }),
        recordRoleRefused: (_i, channel) => (refusals.push(channel), Promise.resolve()),
      };
      const d = createDispatcher({
        handlers,
        session: gate,
        validateResponses: true,
        log: { internal: vi.fn(), refused: vi.fn() },
      });
      for (const [channel, request] of [
        ['records.open', { patientId: 'p1' }],
        ['records.breakGlass', { patientId: 'p1', reasonCode: 'emergency-unconscious', note: 'Collapsed, no wallet.' }],
        ['privacy.accessReport', { patientId: 'p1' }],
        ['privacy.review', { entryId: 'acc-1', outcome: 'justified', note: 'fine' }],
      ] as const) {
        const allowed = channel.startsWith('records.') ? role === 'clinician' : role === 'privacy';
        const answer = await d.dispatch(channel, request, ours);
        if (allowed) continue;
        expect(answer, `${role} ${channel}`).toMatchObject({ ok: false, error: { code: 'ROLE_REFUSED' } });
        expect(refusals).toContain(channel);
      }
    }
    expect(ran.every((c) => c.startsWith('records.') || c.startsWith('privacy.'))).toBe(true);
  });
});

describe('privacy office: another hospital’s entries', () => {
  it('refuses to review an access made at another hospital, with a sentence, and queues nothing', async () => {
    const ward = await makeWard('hostile-review');
    try {
      const office = new PrivacyOffice({
        db: ward.db,
        ledger: {
          transact: (work) => ward.db.write((w) => work(w, () => Promise.reject(new Error('must not queue')))),
        },
        queries: () => ({
          evaluate: () =>
            Promise.resolve({
              entryId: 'acc-b',
              staff: { mspId: 'HospitalBMSP', id: 'x509::/CN=carla', role: 'clinician' },
              breakGlass: { reasonCode: 'emergency-other' },
            }),
        }),
        hospitalMspId: () => HOSPITAL_A.mspId,
        hospitalName: 'Hospital A',
      });
      const refusal = await office
        .review(
          { id: 'priya', displayName: 'Priya Privacy' },
          { entryId: 'acc-b', outcome: 'unjustified', note: 'Not our staff' },
        )
        .catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(DomainError);
      expect((refusal as DomainError).code).toBe('ROLE_REFUSED');
      expect((refusal as DomainError).message).toBe(
        "This access was made by staff of HospitalBMSP; only HospitalBMSP's privacy office can review it. Nothing was recorded.",
      );
      expect(await ward.db.read((r) => r.all(sql`SELECT * FROM chart_review`))).toEqual([]);
    } finally {
      await ward.close();
    }
  });
});

describe('no view without its entry', () => {
  it('a failure while queueing the access entry returns no records and leaves no local trace of the view', async () => {
    const ward = await makeWard('hostile-log');
    try {
      const patientId = await addPatient(ward.db, {
        givenName: 'Maria',
        familyName: 'Oliveira',
        did: 'did:key:z6MkmariaOliveira000000000000000000000000000000',
        mrn: 'MRN-000101',
        admitted: true,
      });
      await mirrorConsent(ward.db, {
        patientDid: 'did:key:z6MkmariaOliveira000000000000000000000000000000',
        categories: ['conditions'],
      });
      await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: false });
      const before = await outbox(ward.db);
      // The outbox refuses (e.g. the disk is full): the view must fail as a whole.
      const failing = new (await import('../../src-main/records/chart-service')).ChartService({
        db: ward.db,
        ledger: {
          transact: (work) => ward.db.write((w) => work(w, () => Promise.reject(new Error('outbox unavailable')))),
          online: () => true,
        },
        hospitalDid: HOSPITAL_A.did,
        hospitalMspId: () => HOSPITAL_A.mspId,
      });
      await expect(failing.openChart(CARL, { patientId, purpose: 'TREAT', refresh: false })).rejects.toThrow(
        'outbox unavailable',
      );
      expect(await outbox(ward.db)).toEqual(before);
      const views = await ward.db.read((r) => r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_access`));
      expect(views?.n).toBe(before.filter((o) => o.operation === 'access.logged').length);
    } finally {
      await ward.close();
    }
  });
});
