import { describe, expect, it } from 'vitest';
import {
  chooseEndorsingOrgs,
  evaluatePolicy,
  parsePolicy,
  policyFromConfig,
  policyFromEnvelope,
  policyToEnvelope,
} from '../../../ledger/devnet/src/policy';

const orgs = ['GovMSP', 'HospAMSP', 'HospBMSP', 'InsMSP'];
const peerOf = (mspId: string): { mspId: string; ou: string } => ({ mspId, ou: 'peer' });

describe('endorsement policy language', () => {
  it('AND needs every org, OR any one', () => {
    const and = parsePolicy("AND('HospAMSP.member', 'InsMSP.member')", orgs);
    expect(evaluatePolicy(and, [peerOf('HospAMSP')])).toBe(false);
    expect(evaluatePolicy(and, [peerOf('HospAMSP'), peerOf('InsMSP')])).toBe(true);
    const or = parsePolicy("OR('HospAMSP.member','InsMSP.member')", orgs);
    expect(evaluatePolicy(or, [peerOf('InsMSP')])).toBe(true);
    expect(evaluatePolicy(or, [peerOf('GovMSP')])).toBe(false);
  });

  it('OutOf counts distinct signatories, and nested expressions work', () => {
    const twoOfThree = parsePolicy("OutOf(2, 'GovMSP.member', 'HospAMSP.member', 'HospBMSP.member')", orgs);
    expect(evaluatePolicy(twoOfThree, [peerOf('GovMSP')])).toBe(false);
    expect(evaluatePolicy(twoOfThree, [peerOf('GovMSP'), peerOf('HospBMSP')])).toBe(true);
    const nested = parsePolicy("AND('GovMSP.member', OR('HospAMSP.peer', 'HospBMSP.peer'))", orgs);
    expect(evaluatePolicy(nested, [peerOf('GovMSP'), peerOf('HospBMSP')])).toBe(true);
    // One signature cannot satisfy two principals.
    const sameTwice = parsePolicy("AND('GovMSP.member', 'GovMSP.member')", orgs);
    expect(evaluatePolicy(sameTwice, [peerOf('GovMSP')])).toBe(false);
  });

  it('roles: a client identity is a member but not a peer', () => {
    const peerOnly = parsePolicy("OR('HospAMSP.peer')", orgs);
    expect(evaluatePolicy(peerOnly, [{ mspId: 'HospAMSP', ou: 'client' }])).toBe(false);
    expect(evaluatePolicy(parsePolicy("OR('HospAMSP.member')", orgs), [{ mspId: 'HospAMSP', ou: 'client' }])).toBe(
      true,
    );
  });

  it('ANY, MAJORITY and ALL range over the channel orgs', () => {
    expect(evaluatePolicy(parsePolicy('ANY', orgs), [peerOf('InsMSP')])).toBe(true);
    expect(evaluatePolicy(parsePolicy('MAJORITY', orgs), [peerOf('GovMSP'), peerOf('InsMSP')])).toBe(false);
    expect(
      evaluatePolicy(parsePolicy('MAJORITY', orgs), [peerOf('GovMSP'), peerOf('InsMSP'), peerOf('HospAMSP')]),
    ).toBe(true);
    expect(evaluatePolicy(parsePolicy('ALL', orgs), orgs.slice(1).map(peerOf))).toBe(false);
  });

  it('reads the config forms: expression, shorthand, list of orgs, default ANY', () => {
    const list = policyFromConfig(['HospAMSP', 'InsMSP'], orgs);
    expect(evaluatePolicy(list, [peerOf('InsMSP')])).toBe(true);
    expect(evaluatePolicy(list, [peerOf('GovMSP')])).toBe(false);
    expect(evaluatePolicy(policyFromConfig(undefined, orgs), [peerOf('GovMSP')])).toBe(true);
    expect(evaluatePolicy(policyFromConfig('ALL', orgs), [peerOf('GovMSP')])).toBe(false);
    expect(() => policyFromConfig([], orgs)).toThrowError(expect.objectContaining({ code: 'BAD_POLICY' }) as Error);
  });

  it('survives a round trip through SignaturePolicyEnvelope (the SBE validation parameter format)', () => {
    const policy = parsePolicy("OutOf(1, 'HospAMSP.member', AND('GovMSP.admin', 'InsMSP.peer'))", orgs);
    expect(policyFromEnvelope(policyToEnvelope(policy).serializeBinary())).toEqual(policy);
  });

  it('refuses malformed expressions with BAD_POLICY', () => {
    for (const bad of [
      "AND('HospAMSP.member'",
      "XOR('A.member')",
      "OR('nodot')",
      "OutOf(3, 'A.member', 'B.member')",
      "OR('A.member') trailing",
    ]) {
      expect(() => parsePolicy(bad, orgs)).toThrowError(expect.objectContaining({ code: 'BAD_POLICY' }) as Error);
    }
  });

  it('chooses the fewest endorsing orgs, preferring those listed first', () => {
    const and = parsePolicy("AND('HospAMSP.member', 'InsMSP.member')", orgs);
    expect(chooseEndorsingOrgs([and], ['HospAMSP', 'GovMSP', 'InsMSP']).sort()).toEqual(['HospAMSP', 'InsMSP']);
    expect(chooseEndorsingOrgs([parsePolicy('ANY', orgs)], ['HospBMSP', 'GovMSP'])).toEqual(['HospBMSP']);
    expect(() => chooseEndorsingOrgs([parsePolicy("OR('Nobody.member')", orgs)], orgs)).toThrowError(
      expect.objectContaining({ code: 'POLICY_UNSATISFIABLE' }) as Error,
    );
  });
});
