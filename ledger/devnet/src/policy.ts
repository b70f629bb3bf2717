/**
 * Endorsement policies: Fabric's policy language (`AND('A.member','B.peer')`, `OR(...)`,
 * `OutOf(2, ...)`) and the shorthands `ANY`, `MAJORITY`, `ALL` over the channel's orgs,
 * compiled to and from common.SignaturePolicyEnvelope, which is also the format of a key's
 * VALIDATION_PARAMETER under state-based endorsement.
 */
import { common, msp } from '@hyperledger/fabric-protos';
import { DevnetError } from './errors';

export type PrincipalRole = 'member' | 'admin' | 'client' | 'peer' | 'orderer';

export interface Principal {
  mspId: string;
  role: PrincipalRole;
}

export type PolicyRule = { signedBy: number } | { outOf: number; rules: PolicyRule[] };

export interface Policy {
  rule: PolicyRule;
  principals: Principal[];
}

/** Who signed: one entry per valid endorsement. */
export interface Signatory {
  mspId: string;
  /** Node OU of the certificate (peer, client, admin, orderer). */
  ou: string;
}

const roleToProto: Record<PrincipalRole, 0 | 1 | 2 | 3 | 4> = { member: 0, admin: 1, client: 2, peer: 3, orderer: 4 };
const protoToRole: PrincipalRole[] = ['member', 'admin', 'client', 'peer', 'orderer'];

/**
 * Parses a policy expression.
 * @throws DevnetError BAD_POLICY
 */
export function parsePolicy(text: string, channelOrgs: readonly string[]): Policy {
  const trimmed = text.trim();
  const upper = trimmed.toUpperCase();
  const principals: Principal[] = [];
  if (upper === 'ANY' || upper === 'MAJORITY' || upper === 'ALL') {
    const n = upper === 'ANY' ? 1 : upper === 'ALL' ? channelOrgs.length : Math.floor(channelOrgs.length / 2) + 1;
    return {
      rule: { outOf: n, rules: channelOrgs.map((_, i) => ({ signedBy: i })) },
      principals: channelOrgs.map((mspId) => ({ mspId, role: 'member' })),
    };
  }
  let pos = 0;
  const fail = (why: string): never => {
    throw new DevnetError('BAD_POLICY', `Endorsement policy "${text}" is not valid: ${why} (at character ${pos}).`);
  };
  const skip = (): void => {
    while (pos < trimmed.length && /\s/.test(trimmed[pos] ?? '')) pos++;
  };
  const expect = (ch: string): void => {
    skip();
    if (trimmed[pos] !== ch) fail(`expected "${ch}"`);
    pos++;
  };
  const parseExpr = (): PolicyRule => {
    skip();
    const quote = trimmed[pos];
    if (quote === "'" || quote === '"') {
      const end = trimmed.indexOf(quote, pos + 1);
      if (end < 0) fail('unterminated principal');
      const body = trimmed.slice(pos + 1, end);
      pos = end + 1;
      const dot = body.lastIndexOf('.');
      const mspId = dot > 0 ? body.slice(0, dot) : fail(`principal "${body}" must be MSPID.role`);
      const role = body.slice(dot + 1).toLowerCase() as PrincipalRole;
      if (!(role in roleToProto)) fail(`unknown role "${role}" (member, admin, client, peer, orderer)`);
      principals.push({ mspId, role });
      return { signedBy: principals.length - 1 };
    }
    const match = /^[A-Za-z]+/.exec(trimmed.slice(pos));
    if (!match) return fail('expected AND, OR, OutOf or a quoted principal');
    const op = match[0].toUpperCase();
    pos += match[0].length;
    expect('(');
    let n: number | undefined;
    if (op === 'OUTOF') {
      skip();
      const num = /^\d+/.exec(trimmed.slice(pos));
      if (!num) fail('OutOf needs a number first');
      n = Number(num?.[0]);
      pos += num?.[0].length ?? 0;
      expect(',');
    } else if (op !== 'AND' && op !== 'OR') {
      fail(`unknown operator ${op}`);
    }
    const rules: PolicyRule[] = [parseExpr()];
    skip();
    while (trimmed[pos] === ',') {
      pos++;
      rules.push(parseExpr());
      skip();
    }
    expect(')');
    const outOf = op === 'AND' ? rules.length : op === 'OR' ? 1 : (n ?? 1);
    if (outOf > rules.length || outOf < 1) fail(`OutOf(${outOf}) over ${rules.length} rules`);
    return { outOf, rules };
  };
  const rule = parseExpr();
  skip();
  if (pos !== trimmed.length) fail('unexpected text after the expression');
  return { rule, principals };
}

/**
 * A chaincode's policy as written in the devnet config: an expression, a shorthand, or a list of
 * MSP IDs meaning "a member of any one of these"; default ANY.
 * @throws DevnetError BAD_POLICY
 */
export function policyFromConfig(
  value: string | readonly string[] | undefined,
  channelOrgs: readonly string[],
): Policy {
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new DevnetError('BAD_POLICY', 'An endorsement policy list must name at least one MSP ID.');
    return parsePolicy(`OR(${value.map((m) => `'${m}.member'`).join(',')})`, channelOrgs);
  }
  return parsePolicy(typeof value === 'string' ? value : 'ANY', channelOrgs);
}

export function policyToEnvelope(policy: Policy): common.SignaturePolicyEnvelope {
  const toRule = (rule: PolicyRule): common.SignaturePolicy => {
    const result = new common.SignaturePolicy();
    if ('signedBy' in rule) {
      result.setSignedBy(rule.signedBy);
    } else {
      const nOutOf = new common.SignaturePolicy.NOutOf();
      nOutOf.setN(rule.outOf);
      nOutOf.setRulesList(rule.rules.map(toRule));
      result.setNOutOf(nOutOf);
    }
    return result;
  };
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setVersion(0);
  envelope.setRule(toRule(policy.rule));
  envelope.setIdentitiesList(
    policy.principals.map((p) => {
      const role = new msp.MSPRole();
      role.setMspIdentifier(p.mspId);
      role.setRole(roleToProto[p.role]);
      const principal = new msp.MSPPrincipal();
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      principal.setPrincipal(role.serializeBinary());
      return principal;
    }),
  );
  return envelope;
}

/**
 * Reads a SignaturePolicyEnvelope (e.g. a key's VALIDATION_PARAMETER).
 * @throws DevnetError BAD_POLICY for principals other than MSP roles
 */
export function policyFromEnvelope(bytes: Uint8Array): Policy {
  let envelope: common.SignaturePolicyEnvelope;
  try {
    envelope = common.SignaturePolicyEnvelope.deserializeBinary(bytes);
  } catch {
    throw new DevnetError('BAD_POLICY', 'The validation parameter is not a SignaturePolicyEnvelope.');
  }
  const principals = envelope.getIdentitiesList().map((p): Principal => {
    if (p.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) {
      throw new DevnetError('BAD_POLICY', 'The devnet evaluates only MSP role principals in endorsement policies.');
    }
    const role = msp.MSPRole.deserializeBinary(p.getPrincipal_asU8());
    return { mspId: role.getMspIdentifier(), role: protoToRole[role.getRole()] ?? 'member' };
  });
  const fromRule = (rule: common.SignaturePolicy | undefined): PolicyRule => {
    if (!rule) throw new DevnetError('BAD_POLICY', 'The signature policy has no rule.');
    if (rule.hasNOutOf()) {
      const n = rule.getNOutOf();
      return { outOf: n?.getN() ?? 0, rules: (n?.getRulesList() ?? []).map(fromRule) };
    }
    return { signedBy: rule.getSignedBy() };
  };
  return { rule: fromRule(envelope.getRule()), principals };
}

function satisfiesPrincipal(principal: Principal, who: Signatory): boolean {
  if (principal.mspId !== who.mspId) return false;
  // Fabric's NodeOU semantics: peer, client and admin identities are all members.
  return principal.role === 'member' || principal.role === who.ou;
}

/**
 * Evaluates the policy: each signatory can be used at most once, as in Fabric's cauthdsl.
 */
export function evaluatePolicy(policy: Policy, signatories: readonly Signatory[]): boolean {
  const used = new Array<boolean>(signatories.length).fill(false);
  const evalRule = (rule: PolicyRule): boolean => {
    if ('signedBy' in rule) {
      const principal = policy.principals[rule.signedBy];
      if (!principal) return false;
      for (let i = 0; i < signatories.length; i++) {
        const who = signatories[i];
        if (!used[i] && who && satisfiesPrincipal(principal, who)) {
          used[i] = true;
          return true;
        }
      }
      return false;
    }
    let satisfied = 0;
    for (const sub of rule.rules) {
      const snapshot = [...used];
      if (evalRule(sub)) satisfied++;
      else used.splice(0, used.length, ...snapshot);
      if (satisfied >= rule.outOf) return true;
    }
    return false;
  };
  return evalRule(policy.rule);
}

/**
 * The smallest set of orgs whose peers, endorsing together, satisfy every policy; among sets
 * of equal size the one using the earliest `candidates` wins (so the caller's own org is
 * preferred when it is listed first).
 * @throws DevnetError POLICY_UNSATISFIABLE
 */
export function chooseEndorsingOrgs(policies: readonly Policy[], candidates: readonly string[]): string[] {
  const n = candidates.length;
  const subsets: number[][] = [];
  for (let mask = 1; mask < 1 << n; mask++) {
    const subset: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) subset.push(i);
    subsets.push(subset);
  }
  subsets.sort(
    (a, b) => a.length - b.length || a.reduce((s, i) => s + (1 << i), 0) - b.reduce((s, i) => s + (1 << i), 0),
  );
  for (const subset of subsets) {
    const orgs = subset.map((i) => candidates[i] ?? '');
    const signatories = orgs.map((mspId) => ({ mspId, ou: 'peer' }));
    if (policies.every((p) => evaluatePolicy(p, signatories))) return orgs;
  }
  throw new DevnetError(
    'POLICY_UNSATISFIABLE',
    `No combination of the organisations ${candidates.join(', ')} can satisfy the endorsement policy.`,
  );
}

export function describePolicy(policy: Policy): string {
  const show = (rule: PolicyRule): string => {
    if ('signedBy' in rule) {
      const p = policy.principals[rule.signedBy];
      return p ? `'${p.mspId}.${p.role}'` : '?';
    }
    return `OutOf(${rule.outOf}, ${rule.rules.map(show).join(', ')})`;
  };
  return show(policy.rule);
}
