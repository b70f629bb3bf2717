import { describe, expect, it } from 'vitest';
import { inHospitalWords, verdictBanner } from '../../../src-renderer/features/admissions/describe';

describe("the desk's words for the verifier's jargon", () => {
  it('says card, list of revoked cards and the organisation, and keeps the technical names for the detail', () => {
    expect(inHospitalWords('The issuer is trusted to issue an identity card (operated by GovernanceMSP).')).toEqual({
      text: 'The issuer is trusted to issue an identity card (operated by the Governance organisation).',
      technical: ['GovernanceMSP'],
    });
    expect(inHospitalWords('The presentation carries 3 credential(s); the status list is damaged.')).toEqual({
      text: "The presentation carries 3 card(s); the issuer's list of revoked cards is damaged.",
      technical: ['status list', 'credential'],
    });
    expect(inHospitalWords('Nothing technical here.')).toEqual({ text: 'Nothing technical here.', technical: [] });
  });

  it("titles Grace's verdict for what it is: identity verified, insurance card refused, admissible without coverage", () => {
    const banner = verdictBanner('invalid', false, true, ['insurance card']);
    expect(banner.title).toBe('Identity verified · insurance card refused');
    expect(banner.advice).toContain('Admissible without coverage');
    expect(banner.title + banner.advice).not.toContain('Refused');
  });
});
