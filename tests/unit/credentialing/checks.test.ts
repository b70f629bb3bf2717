/**
 * The locum checks on top of the identity pipeline: a clean locum passes every check; a
 * suspended licence, an expired certification, a sanction (by DID, licence or NPI), a stale
 * sanctions list, a foreign jurisdiction and privileges beyond the specialty each get their
 * sentence and the verdict the officer relies on.
 */
import { describe, expect, it } from 'vitest';
import { scopeProblem } from '../../../src-main/credentialing/checks';
import { NOW, NOW_S } from '../identity/support';
import { createLocumWorld } from './support';

const result = (a: { checks: { name: string; result: string }[] }, name: string): string | undefined => a.checks.find((c) => c.name === name)?.result;

describe('locum checks', () => {
  it('verifies a clean locum: every check named, specialty covering anaesthesia privileges', async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle());
    expect(a.verdict).toBe('valid');
    expect(a.checks.map((c) => c.name)).toEqual([
      'signature', 'holder-binding', 'issuer-trust', 'validity-period', 'revocation', 'suspension', 'audience', 'freshness', 'replay', 'schema',
      'jurisdiction', 'sanctions', 'npi-sanctions', 'specialty-coverage',
    ]);
    expect(a.doctor).toMatchObject({ did: w.doctor.did, licenseNumber: 'GMC-1234567', npi: '1234567893', board: 'Royal College of Anaesthetists' });
    expect(a.coveredPrivileges).toEqual(expect.arrayContaining(['general-anaesthesia', 'icu-procedures', 'admitting']));
    expect(a.coveredPrivileges).not.toContain('cardiac-catheterisation');
    expect(a.credentials.every((c) => c.statusLists.length === 2)).toBe(true);
  });

  it('refuses a licence the board has suspended, saying so', async () => {
    const w = await createLocumWorld();
    const vp = await w.bundle();
    w.suspend(10);
    const a = await w.assess(vp);
    expect(a.verdict).toBe('invalid');
    expect(result(a, 'suspension')).toBe('fail');
    expect(a.checks.find((c) => c.name === 'suspension')?.message).toMatch(/^Medical licence: The issuer has suspended/);
    expect(a.disasterVerdict).toBe('valid'); // suspension is not in the disaster set, revocation is
  });

  it('refuses a sanctioned doctor by DID, licence number or NPI, with the entry', async () => {
    const w = await createLocumWorld();
    const from = new Date(NOW.getTime() - 86_400_000).toISOString();
    for (const s of [{ subjectDid: w.doctor.did }, { licenseNumber: 'GMC-1234567' }]) {
      const a = await w.assess(await w.bundle(), { sanctions: [{ sanctionId: 'S-1', reason: 'Struck off', from, ...s }] });
      expect([a.verdict, result(a, 'sanctions')]).toEqual(['invalid', 'fail']);
      expect(a.checks.find((c) => c.name === 'sanctions')?.message).toContain('S-1');
    }
    const byNpi = await w.assess(await w.bundle(), { sanctions: [{ sanctionId: 'LEIE-9', npi: '1234567893', reason: '1128a1', source: 'OIG LEIE', from }] });
    expect([byNpi.verdict, result(byNpi, 'sanctions'), result(byNpi, 'npi-sanctions')]).toEqual(['invalid', 'pass', 'fail']);
    expect(byNpi.sanctions[0]).toMatchObject({ matchedBy: 'npi', active: true, source: 'OIG LEIE' });
    expect(byNpi.disasterVerdict).toBe('invalid');
  });

  it('a lifted sanction is shown but does not refuse', async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle(), { sanctions: [{ sanctionId: 'S-2', subjectDid: w.doctor.did, reason: 'x', from: '2025-01-01T00:00:00Z', lifted: { at: '2025-06-01T00:00:00Z', reason: 'appeal' } }] });
    expect(a.verdict).toBe('valid');
    expect(a.sanctions[0]?.active).toBe(false);
  });

  it('a stale or missing sanctions list cannot vouch: cannot determine', async () => {
    const w = await createLocumWorld();
    const stale = await w.assess(await w.bundle(), { sanctionsAsOf: new Date(NOW.getTime() - 3 * 86_400_000).toISOString() });
    expect([stale.verdict, result(stale, 'sanctions'), result(stale, 'npi-sanctions')]).toEqual(['cannot-determine', 'cannot-determine', 'cannot-determine']);
    expect(stale.sanctionsStale).toBe(true);
    const never = await w.assess(await w.bundle(), { sanctionsAsOf: null });
    expect(never.checks.find((c) => c.name === 'sanctions')?.message).toMatch(/not been received/);
  });

  it('refuses a licence from a jurisdiction this hospital does not accept', async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle([await w.licence({ subjectExtra: { jurisdiction: 'US-CA' } }), await w.boardCert()]));
    expect([a.verdict, result(a, 'jurisdiction')]).toEqual(['invalid', 'fail']);
    expect(a.checks.find((c) => c.name === 'jurisdiction')?.message).toContain('US-CA');
  });

  it('an expired board certification fails the full check but not the disaster set', async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle([await w.licence(), await w.boardCert({ nbf: NOW_S - 900 * 86_400, exp: NOW_S - 86_400 })]));
    expect([a.verdict, result(a, 'validity-period'), result(a, 'specialty-coverage')]).toEqual(['invalid', 'fail', 'fail']);
    expect(a.checks.find((c) => c.name === 'validity-period')?.message).toMatch(/^Board certification: /);
    expect(a.disasterVerdict).toBe('valid');
  });

  it('refuses a presentation without a licence', async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle([await w.boardCert()]));
    expect([a.verdict, result(a, 'jurisdiction'), a.disasterVerdict]).toEqual(['invalid', 'fail', 'invalid']);
  });

  it('refuses privileges beyond the specialty, and unknown privilege codes', () => {
    expect(scopeProblem(['general-anaesthesia', 'admitting'], ['394577000'])).toBeNull();
    expect(scopeProblem(['cardiac-catheterisation'], ['394577000'])).toMatch(/does not cover Cardiac catheterisation/);
    expect(scopeProblem(['brain-surgery'], ['394577000'])).toMatch(/not on this hospital's privilege list/);
  });
});
