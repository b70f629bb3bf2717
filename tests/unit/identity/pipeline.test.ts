/**
 * The verification pipeline, check by check: each one passing on a genuine admission bundle
 * and failing (or "cannot determine") for the fault it exists to catch, with the other
 * credentials still reported.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { claimsOfType, createIdentityVerifier, MemoryReplayStore, VerificationReport as VerificationReportSchema, type CheckId, type CheckResult, type CredentialReport, type VerificationReport } from '../../../src-main/identity';
import { HOSPITAL_DID, NOW, NOW_S, createWorld, issue, makeDid, makeWebSigner, present, signJwt, type World } from './support';

const DAY = 86_400;

function result(report: VerificationReport, id: CheckId, credentialIndex?: number): CheckResult | undefined {
  const checks = credentialIndex === undefined ? report.checks : report.credentials[credentialIndex]?.checks;
  return checks?.find((c) => c.id === id)?.result;
}

function messageOf(report: VerificationReport, id: CheckId, credentialIndex?: number): string {
  const checks = credentialIndex === undefined ? report.checks : report.credentials[credentialIndex]?.checks;
  return checks?.find((c) => c.id === id)?.message ?? '';
}

/** Replaces one claim of a JWT's payload while keeping the original signature (a forgery). */
interface Claims {
  exp: number;
  vc: { credentialSubject: Record<string, unknown> };
}
function tamper(jwt: string, change: (payload: Claims) => void): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Claims;
  change(payload);
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const verify = (vp: string, input: Parameters<World['verifier']['verifyPresentation']>[1] = {}): Promise<VerificationReport> =>
  w.verifier.verifyPresentation(vp, { now: NOW, ...input });

describe('a genuine admission bundle', () => {
  it('is valid, with every check passed or not applicable, per credential', async () => {
    const report = await verify(await w.bundle());
    expect(report.verdict).toBe('valid');
    expect(report.credentials.map((c) => c.type)).toEqual(['PatientIdentityCredential', 'InsuranceCoverageCredential', 'ConsentGrantCredential']);
    expect(report.credentials.every((c) => c.verified)).toBe(true);
    const ids = (c: CredentialReport): string[] => c.checks.map((k) => k.id);
    for (const c of report.credentials) {
      expect(ids(c)).toEqual(expect.arrayContaining(['credential.format', 'credential.signature', 'credential.holder-binding', 'credential.issuer-trust', 'credential.validity-period', 'credential.revocation', 'credential.suspension', 'credential.schema']));
    }
    expect(report.checks.map((c) => c.id)).toEqual(['presentation.format', 'presentation.signature', 'presentation.freshness', 'presentation.audience', 'presentation.replay', 'workstation.clock']);
    expect(result(report, 'credential.revocation', 0)).toBe('pass');
    expect(result(report, 'credential.suspension', 0)).toBe('pass');
    expect(result(report, 'consent.grantee', 2)).toBe('pass');
    // Every sentence is meant for a person: no empty or code-like messages.
    for (const c of [...report.checks, ...report.credentials.flatMap((k) => k.checks)]) expect(c.message.length).toBeGreaterThan(15);
    expect(report.presentation.holder).toBe(w.patient.did);
  });

  it.each(['jwk-p256', 'jwk-ed25519'] as const)('is valid when the patient holds a did:jwk (%s) key', async (kind) => {
    const holder = await makeDid(w.agent, kind);
    const vc = await issue(w.agent, w.authority, {
      type: 'PatientIdentityCredential',
      subject: { id: holder.did, givenName: 'Jo', familyName: 'Bloggs', birthDate: '1990-01-01', gender: 'unknown' },
      nbf: NOW_S - DAY,
      exp: NOW_S + DAY,
      status: [{ listId: 'gov-rev-1', index: 5, purpose: 'revocation' }],
    });
    const report = await verify(await present(w.agent, holder, [vc], { iat: NOW_S }));
    expect(report.verdict).toBe('valid');
  });
});

describe('signatures', () => {
  it('a forged credential fails alone; the others are still checked and reported', async () => {
    const forged = tamper(await w.coverageVc(), (p) => {
      p.vc.credentialSubject.planName = 'Platinum Unlimited';
    });
    const report = await verify(await w.bundle({}, [await w.identityVc(), forged, await w.consentVc()]));
    expect(report.verdict).toBe('invalid');
    expect(result(report, 'credential.signature', 1)).toBe('fail');
    expect(messageOf(report, 'credential.signature', 1)).toMatch(/insurance card.*forged/);
    expect(report.credentials[0]?.verified).toBe(true);
    expect(report.credentials[2]?.verified).toBe(true);
    expect(result(report, 'presentation.signature')).toBe('pass');
  });

  it('a credential signed by another key in the issuer\'s name fails', async () => {
    const impostor = await makeWebSigner(w.agent, 'impostor.example');
    const vc = await w.identityVc({}, { ...impostor, did: w.authority.did });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.signature', 0)).toBe('fail');
    expect(report.verdict).toBe('invalid');
  });

  it('a presentation altered after the holder signed it fails', async () => {
    const vp = tamper(await w.bundle(), (p) => {
      p.exp = p.exp + 1;
    });
    const report = await verify(vp);
    expect(result(report, 'presentation.signature')).toBe('fail');
    expect(report.verdict).toBe('invalid');
  });

  it('an issuer whose did:web document is not in the offline cache is "cannot determine", and nothing is fetched', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const stranger = await makeWebSigner(w.agent, 'unknown-authority.example');
    w.trustRegistry.add({ issuerDid: stranger.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2025-01-01T00:00:00Z' });
    w.publish('stranger-rev', stranger.did, 'revocation');
    const vc = await w.identityVc({ status: [{ listId: 'stranger-rev', index: 1, purpose: 'revocation' }] }, stranger);
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.signature', 0)).toBe('cannot-determine');
    expect(messageOf(report, 'credential.signature', 0)).toMatch(/Sync with the ledger/);
    expect(report.verdict).toBe('cannot-determine');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('a damaged cached did:web document is "cannot determine", not a forgery', async () => {
    const broken = createIdentityVerifier({
      hospitalDid: HOSPITAL_DID,
      trustRegistry: w.trustRegistry,
      statusLists: w.statusLists,
      replayStore: new MemoryReplayStore(),
      didWebCache: { get: () => Promise.reject(new Error('disk error')), put: () => Promise.resolve() },
    });
    const report = await broken.verifyPresentation(await w.bundle(), { now: NOW });
    expect(result(report, 'credential.signature', 0)).toBe('cannot-determine');
    expect(messageOf(report, 'credential.signature', 0)).toMatch(/damaged/);
    expect(result(report, 'credential.signature', 2)).toBe('pass');
  });

  it('the did:web document put in the cache later is used offline', async () => {
    const late = await makeWebSigner(w.agent, 'late-authority.example', 'Secp256r1');
    w.trustRegistry.add({ issuerDid: late.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2025-01-01T00:00:00Z' });
    w.publish('late-rev', late.did, 'revocation');
    const vc = await w.identityVc({ status: [{ listId: 'late-rev', index: 1, purpose: 'revocation' }] }, late);
    await w.didWebCache.put(late.did, late.document);
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.signature', 0)).toBe('pass');
    expect(report.verdict).toBe('valid');
  });
});

describe('issuer trust', () => {
  it('fails a credential from an issuer trusted only for another credential type', async () => {
    // The insurer is registered for coverage, not identity.
    const vc = await w.identityVc({ status: [{ listId: 'hm-rev-1', index: 7, purpose: 'revocation' }] }, w.insurer);
    const report = await verify(await w.bundle({}, [vc, await w.coverageVc()]));
    expect(result(report, 'credential.issuer-trust', 0)).toBe('fail');
    expect(messageOf(report, 'credential.issuer-trust', 0)).toMatch(/not to issue an identity card/);
    expect(result(report, 'credential.issuer-trust', 1)).toBe('pass');
  });

  it('fails a credential from an issuer that is not in the registry at all', async () => {
    const rogue = await makeDid(w.agent, 'key-ed25519');
    w.publish('rogue-rev', rogue.did, 'revocation');
    const vc = await w.identityVc({ status: [{ listId: 'rogue-rev', index: 1, purpose: 'revocation' }] }, rogue);
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.signature', 0)).toBe('pass');
    expect(result(report, 'credential.issuer-trust', 0)).toBe('fail');
  });

  it('judges trust at the time of issue', async () => {
    const later = await makeDid(w.agent, 'jwk-p256');
    w.publish('later-rev', later.did, 'revocation');
    const status = [{ listId: 'later-rev', index: 1, purpose: 'revocation' as const }];
    // Trusted from 10 days ago, until tomorrow.
    w.trustRegistry.add({
      issuerDid: later.did,
      operatorMspId: 'GovernanceMSP',
      credentialTypes: ['PatientIdentityCredential'],
      validFrom: new Date((NOW_S - 10 * DAY) * 1000).toISOString(),
      validUntil: new Date((NOW_S + DAY) * 1000).toISOString(),
    });
    const before = await w.identityVc({ nbf: NOW_S - 20 * DAY, status }, later);
    const within = await w.identityVc({ nbf: NOW_S - 5 * DAY, status }, later);
    expect(result(await verify(await w.bundle({}, [before])), 'credential.issuer-trust', 0)).toBe('fail');
    expect(result(await verify(await w.bundle({}, [within])), 'credential.issuer-trust', 0)).toBe('pass');
    // After the entry ends, what was issued while trusted stays trusted.
    const weekLater = new Date(NOW.getTime() + 7 * DAY * 1000);
    w.trustRegistry.setFreshness(weekLater);
    w.publish('later-rev', later.did, 'revocation', weekLater);
    const report = await w.verifier.verifyPresentation(await present(w.agent, w.patient, [within], { iat: NOW_S + 7 * DAY }), { now: weekLater });
    expect(result(report, 'credential.issuer-trust', 0)).toBe('pass');
  });

  it('fails everything from an issuer governance removed', async () => {
    w.trustRegistry.add({ issuerDid: w.authority.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2025-01-01T00:00:00Z', removed: true });
    const report = await verify(await w.bundle());
    expect(result(report, 'credential.issuer-trust', 0)).toBe('fail');
    expect(messageOf(report, 'credential.issuer-trust', 0)).toMatch(/removed/);
  });

  it('cannot determine trust when the registry mirror was never synced or is stale', async () => {
    const fresh = await createWorld({ trustRegistryMaxAgeSeconds: 3600 });
    fresh.trustRegistry.setFreshness(new Date(NOW.getTime() - 2 * 3600_000));
    const stale = await fresh.verifier.verifyPresentation(await fresh.bundle(), { now: NOW });
    expect(result(stale, 'credential.issuer-trust', 0)).toBe('cannot-determine');
    expect(stale.verdict).toBe('cannot-determine');

    const never = await createWorld();
    never.trustRegistry.setFreshness(undefined);
    const report = await never.verifier.verifyPresentation(await never.bundle(), { now: NOW });
    expect(result(report, 'credential.issuer-trust', 1)).toBe('cannot-determine');
    // The consent needs no registry, so it is still verified.
    expect(result(report, 'credential.issuer-trust', 2)).toBe('pass');
  });

  it('accepts a consent only when the patient issued it', async () => {
    const byAuthority = await w.consentVc({}, w.authority);
    const report = await verify(await w.bundle({}, [await w.identityVc(), byAuthority]));
    expect(result(report, 'credential.issuer-trust', 1)).toBe('fail');
    expect(result(report, 'credential.holder-binding', 1)).toBe('fail');
    expect(report.verdict).toBe('invalid');
  });
});

describe('validity period', () => {
  it('fails an expired credential', async () => {
    const vc = await w.identityVc({ nbf: NOW_S - 400 * DAY, exp: NOW_S - DAY });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.validity-period', 0)).toBe('fail');
    expect(messageOf(report, 'credential.validity-period', 0)).toMatch(/expired on/);
  });

  it('fails a credential that is not valid yet', async () => {
    const vc = await w.coverageVc({ nbf: NOW_S + 2 * DAY, exp: NOW_S + 300 * DAY });
    const report = await verify(await w.bundle({}, [await w.identityVc(), vc]));
    expect(result(report, 'credential.validity-period', 1)).toBe('fail');
    expect(messageOf(report, 'credential.validity-period', 1)).toMatch(/not valid yet/);
    expect(result(report, 'credential.validity-period', 0)).toBe('pass');
  });

  it('honours a validUntil in the credential that ends before exp', async () => {
    const vc = await w.identityVc({ vcExtra: { validUntil: new Date((NOW_S - 60 * 5) * 1000).toISOString() } });
    expect(result(await verify(await w.bundle({}, [vc])), 'credential.validity-period', 0)).toBe('fail');
  });
});

describe('revocation and suspension', () => {
  it('fails a revoked credential', async () => {
    const vc = await w.identityVc({ status: [{ listId: 'gov-rev-1', index: 4242, purpose: 'revocation' }] });
    w.setBit('gov-rev-1', 4242, w.authority.did, 'revocation');
    const report = await verify(await w.bundle({}, [vc, await w.coverageVc()]));
    expect(result(report, 'credential.revocation', 0)).toBe('fail');
    expect(messageOf(report, 'credential.revocation', 0)).toMatch(/revoked/);
    expect(result(report, 'credential.revocation', 1)).toBe('pass');
    expect(report.verdict).toBe('invalid');
  });

  it('fails a suspended credential and says so, not "revoked"', async () => {
    const vc = await w.identityVc({
      status: [
        { listId: 'gov-rev-1', index: 77, purpose: 'revocation' },
        { listId: 'gov-sus-1', index: 77, purpose: 'suspension' },
      ],
    });
    w.setBit('gov-sus-1', 77, w.authority.did, 'suspension');
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.revocation', 0)).toBe('pass');
    expect(result(report, 'credential.suspension', 0)).toBe('fail');
    expect(messageOf(report, 'credential.suspension', 0)).toMatch(/suspended/);
  });

  it('cannot determine when the status list is missing: never valid', async () => {
    const vc = await w.identityVc({ status: [{ listId: 'never-published', index: 1, purpose: 'revocation' }] });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.revocation', 0)).toBe('cannot-determine');
    expect(report.verdict).toBe('cannot-determine');
    expect(report.summary).toMatch(/Could not be fully checked/);
  });

  it('cannot determine when the status list is older than the maximum age', async () => {
    w.publish('hm-rev-1', w.insurer.did, 'revocation', new Date(NOW.getTime() - 25 * 3600_000));
    const report = await verify(await w.bundle());
    expect(result(report, 'credential.revocation', 1)).toBe('cannot-determine');
    expect(messageOf(report, 'credential.revocation', 1)).toMatch(/too long ago/);
    expect(result(report, 'credential.revocation', 0)).toBe('pass');
    expect(report.verdict).toBe('cannot-determine');
  });

  it('cannot determine when the local copy of the list is damaged', async () => {
    w.statusLists.set('gov-rev-1', { issuerDid: w.authority.did, purpose: 'revocation', encodedList: 'uAAAA', updatedAt: NOW.toISOString(), fetchedAt: NOW.toISOString() });
    const report = await verify(await w.bundle());
    expect(result(report, 'credential.revocation', 0)).toBe('cannot-determine');
  });

  it('fails a credential whose entry points at a list kept for the other purpose', async () => {
    const vc = await w.identityVc({ status: [{ listId: 'gov-sus-1', index: 3, purpose: 'revocation' }] });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.revocation', 0)).toBe('fail');
    expect(messageOf(report, 'credential.revocation', 0)).toMatch(/another purpose/);
  });

  it('fails a credential pointing at another issuer\'s list (an issuer cannot be cleared by someone else)', async () => {
    const vc = await w.identityVc({ status: [{ listId: 'hm-rev-1', index: 3, purpose: 'revocation' }] });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.revocation', 0)).toBe('fail');
  });

  it('reports the outcome through the Veramo status method as not verified when undetermined', async () => {
    const status = await w.verifier.agent.checkCredentialStatus({
      now: NOW,
      credential: {
        issuer: { id: w.authority.did },
        credentialSubject: {},
        issuanceDate: NOW.toISOString(),
        '@context': [],
        type: [],
        proof: {},
        credentialStatus: { id: 'urn:careledger:statuslist:nope#1', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '1', statusListCredential: 'urn:careledger:statuslist:nope' },
      },
    });
    expect(status.revoked).toBe(false);
    expect(status.verified).toBe(false);
    expect(status.entries[0]?.reason).toBe('list-missing');
  });
});

describe('holder binding', () => {
  it('fails a credential that belongs to someone else', async () => {
    const other = await makeDid(w.agent);
    const vc = await w.identityVc({ subject: { id: other.did, givenName: 'Eve', familyName: 'Mallory', birthDate: '1980-01-01', gender: 'female' } });
    const report = await verify(await w.bundle({}, [vc, await w.coverageVc()]));
    expect(result(report, 'credential.holder-binding', 0)).toBe('fail');
    expect(messageOf(report, 'credential.holder-binding', 0)).toMatch(/belongs to someone else/);
    expect(result(report, 'credential.holder-binding', 1)).toBe('pass');
  });
});

describe('freshness, audience and replay', () => {
  it('fails a presentation older than five minutes', async () => {
    const report = await verify(await w.bundle({ iat: NOW_S - 400, exp: NOW_S - 200 }));
    expect(result(report, 'presentation.freshness')).toBe('fail');
    expect(messageOf(report, 'presentation.freshness')).toMatch(/create a new code/);
  });

  it('allows a small clock skew but not a presentation from the future', async () => {
    expect(result(await verify(await w.bundle({ iat: NOW_S + 30 })), 'presentation.freshness')).toBe('pass');
    expect(result(await verify(await w.bundle({ iat: NOW_S + 600 })), 'presentation.freshness')).toBe('fail');
  });

  it('fails a presentation that would live longer than five minutes, and one already expired', async () => {
    expect(result(await verify(await w.bundle({ iat: NOW_S - 5, exp: NOW_S + 3600 })), 'presentation.freshness')).toBe('fail');
    expect(result(await verify(await w.bundle({ iat: NOW_S - 200, exp: NOW_S - 100 })), 'presentation.freshness')).toBe('fail');
  });

  it('uses the configured maximum age', async () => {
    const strict = await createWorld({ maxPresentationAgeSeconds: 60, clockSkewSeconds: 5 });
    // Both codes live 300 s (the format's limit); only their age differs.
    const old = await strict.verifier.verifyPresentation(await strict.bundle({ iat: NOW_S - 90, exp: NOW_S - 90 + 300 }), { now: NOW });
    expect(result(old, 'presentation.freshness')).toBe('fail');
    expect(messageOf(old, 'presentation.freshness')).toMatch(/accepted for 60 seconds/);
    const recent = await strict.verifier.verifyPresentation(await strict.bundle({ iat: NOW_S - 50, exp: NOW_S - 50 + 300 }), { now: NOW });
    expect(result(recent, 'presentation.freshness')).toBe('pass');
  });

  it('fails a presentation addressed to another hospital, or to several', async () => {
    const wrong = await verify(await w.bundle({ aud: 'did:web:other-hospital.example' }));
    expect(result(wrong, 'presentation.audience')).toBe('fail');
    expect(wrong.verdict).toBe('invalid');
    const several = await verify(await w.bundle({ aud: [HOSPITAL_DID, 'did:web:other-hospital.example'] }));
    expect(result(several, 'presentation.audience')).toBe('fail');
  });

  it('fails a presentation without an audience: admission requires one (issue 15 item 6)', async () => {
    for (const aud of [null, '', []]) {
      const report = await verify(await w.bundle({ aud }));
      expect(result(report, 'presentation.audience'), JSON.stringify(aud)).toBe('fail');
      expect(messageOf(report, 'presentation.audience')).toMatch(/does not say which hospital/);
      expect(report.verdict).toBe('invalid');
    }
  });

  it('refuses a presentation seen before', async () => {
    const vp = await w.bundle();
    expect((await verify(vp)).verdict).toBe('valid');
    const again = await verify(vp);
    expect(result(again, 'presentation.replay')).toBe('fail');
    expect(messageOf(again, 'presentation.replay')).toMatch(/already used/);
    expect(again.verdict).toBe('invalid');
  });

  it('refuses a second presentation reusing the id of one already accepted', async () => {
    const jti = `urn:uuid:${randomUUID()}`;
    expect((await verify(await w.bundle({ jti }))).verdict).toBe('valid');
    expect(result(await verify(await w.bundle({ jti })), 'presentation.replay')).toBe('fail');
  });

  it('does not burn the id of a refused presentation', async () => {
    const jti = `urn:uuid:${randomUUID()}`;
    expect((await verify(await w.bundle({ jti, aud: 'did:web:elsewhere.example' }))).verdict).toBe('invalid');
    expect(await w.replayStore.has(jti)).toBe(false);
  });

  it('checks the nonce the desk asked for', async () => {
    expect(result(await verify(await w.bundle({ nonce: 'abc123' }), { expectedNonce: 'abc123' }), 'presentation.freshness')).toBe('pass');
    expect(result(await verify(await w.bundle({ nonce: 'zzz' }), { expectedNonce: 'abc123' }), 'presentation.freshness')).toBe('fail');
  });
});

describe('schemas and consent scope', () => {
  it('fails a credential whose subject does not match its schema, naming the field', async () => {
    const vc = await w.identityVc({ subject: { id: w.patient.did, givenName: 'Ada', familyName: 'Lovelace', birthDate: '10/12/1985', gender: 'female' } });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.schema', 0)).toBe('fail');
    expect(messageOf(report, 'credential.schema', 0)).toMatch(/birthDate/);
    expect(report.verdict).toBe('invalid');
  });

  it('fails a consent granted to another hospital', async () => {
    const vc = await w.consentVc({ subject: { id: w.patient.did, grantee: 'did:web:other-hospital.example', granteeName: 'Other Hospital', purposeOfUse: ['TREAT'], categories: ['demographics'] } });
    const report = await verify(await w.bundle({}, [await w.identityVc(), vc]));
    expect(result(report, 'consent.grantee', 1)).toBe('fail');
    expect(messageOf(report, 'consent.grantee', 1)).toMatch(/Other Hospital/);
  });

  it('fails a credential of a type the workstation does not accept', async () => {
    const vc = await signJwt(w.agent, w.authority, {
      iss: w.authority.did,
      sub: w.patient.did,
      jti: `urn:uuid:${randomUUID()}`,
      nbf: NOW_S - DAY,
      exp: NOW_S + DAY,
      vc: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential', 'LoyaltyCard'], credentialSubject: { id: w.patient.did } },
    });
    const report = await verify(await w.bundle({}, [vc]));
    expect(result(report, 'credential.format', 0)).toBe('fail');
    expect(result(report, 'credential.schema', 0)).toBe('fail');
    expect(report.credentials[0]?.type).toBeNull();
  });
});

describe('the report as data', () => {
  it('matches the IPC schema and survives JSON, for valid, refused and undetermined results', async () => {
    const valid = await verify(await w.bundle());
    const refused = await verify('garbage');
    const undetermined = await verify(await w.bundle({}, [await w.identityVc({ status: [{ listId: 'nope', index: 1, purpose: 'revocation' }] })]));
    for (const report of [valid, refused, undetermined]) {
      expect(VerificationReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    }
    expect([valid.verdict, refused.verdict, undetermined.verdict]).toEqual(['valid', 'invalid', 'cannot-determine']);
  });
});

describe('bad input', () => {
  it('reports text that is not a presentation without throwing', async () => {
    for (const input of ['', 'hello', 'a.b.c', 'x'.repeat(300_000)]) {
      const report = await verify(input);
      expect(report.verdict).toBe('invalid');
      expect(result(report, 'presentation.format')).toBe('fail');
    }
  });

  it('reports an unreadable credential and still checks the others', async () => {
    const report = await verify(await w.bundle({}, ['not-a-jwt', await w.identityVc()]));
    expect(result(report, 'credential.format', 0)).toBe('fail');
    expect(result(report, 'credential.signature', 0)).toBe('not-applicable');
    expect(messageOf(report, 'presentation.signature')).toMatch(/contents are malformed/);
    expect(report.credentials[1]?.verified).toBe(true);
    expect(report.verdict).toBe('invalid');
  });

  it('refuses an algorithm outside EdDSA and ES256 even before the signature is looked at', async () => {
    const vp = await w.bundle();
    const [, p, s] = vp.split('.') as [string, string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.${s}`;
    const report = await verify(none);
    expect(result(report, 'presentation.format')).toBe('fail');
    expect(result(report, 'presentation.signature')).toBe('fail');
  });
});

describe('workstation clock', () => {
  it('is not compared when no ledger time is known', async () => {
    expect(result(await verify(await w.bundle()), 'workstation.clock')).toBe('not-applicable');
  });

  it('passes when the clock is after the last ledger time', async () => {
    const report = await verify(await w.bundle(), { lastTrustedLedgerTime: new Date(NOW.getTime() - 600_000) });
    expect(result(report, 'workstation.clock')).toBe('pass');
    expect(report.checks.find((c) => c.id === 'workstation.clock')?.warning).toBeUndefined();
  });

  it('cannot determine when the clock went back before the last ledger time', async () => {
    const report = await verify(await w.bundle(), { lastTrustedLedgerTime: new Date(NOW.getTime() + 3 * 3600_000) });
    expect(result(report, 'workstation.clock')).toBe('cannot-determine');
    expect(messageOf(report, 'workstation.clock')).toMatch(/behind the ledger/);
    expect(report.verdict).toBe('cannot-determine');
  });

  it('warns, without refusing, when the clock jumped far ahead of the last ledger time', async () => {
    const report = await verify(await w.bundle(), { lastTrustedLedgerTime: new Date(NOW.getTime() - 3 * DAY * 1000).toISOString() });
    const clock = report.checks.find((c) => c.id === 'workstation.clock');
    expect(clock?.result).toBe('pass');
    expect(clock?.warning).toBe(true);
    expect(report.verdict).toBe('valid');
  });
});

describe('a locum doctor\'s credentials', () => {
  it('verifies licence, specialty and board certification from a medical board trusted for all three', async () => {
    const board = await makeWebSigner(w.agent, 'medical-board.example', 'Secp256r1');
    await w.didWebCache.put(board.did, board.document);
    w.trustRegistry.add({
      issuerDid: board.did,
      operatorMspId: 'MedicalBoardMSP',
      credentialTypes: ['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential'],
      validFrom: '2025-01-01T00:00:00Z',
    });
    w.publish('board-rev', board.did, 'revocation');
    const doctor = await makeDid(w.agent, 'jwk-p256');
    const common = { nbf: NOW_S - DAY, exp: NOW_S + 365 * DAY };
    const status = (index: number) => [{ listId: 'board-rev', index, purpose: 'revocation' as const }];
    const vcs = [
      await issue(w.agent, board, { ...common, type: 'MedicalLicenseCredential', subject: { id: doctor.did, name: 'Dr Grace Hopper', licenseNumber: 'GMC-7654321', jurisdiction: 'GB' }, status: status(1) }),
      await issue(w.agent, board, { ...common, type: 'SpecialtyCredential', subject: { id: doctor.did, name: 'Dr Grace Hopper', specialtyCode: '394579002', specialtyDisplay: 'Cardiology' }, status: status(2) }),
      await issue(w.agent, board, {
        ...common,
        type: 'BoardCertificationCredential',
        subject: { id: doctor.did, name: 'Dr Grace Hopper', board: 'Royal College of Physicians', specialtyCode: '394579002', certifiedSince: '2015-07-01' },
        status: status(3),
      }),
    ];
    const report = await verify(await present(w.agent, doctor, vcs, { iat: NOW_S }));
    expect(report.verdict).toBe('valid');
    expect(claimsOfType(report, 'MedicalLicenseCredential')[0]?.licenseNumber).toBe('GMC-7654321');

    // The same board is not trusted to issue identity cards.
    const identity = await w.identityVc({ subject: { id: doctor.did, givenName: 'Grace', familyName: 'Hopper', birthDate: '1906-12-09', gender: 'female' }, status: status(4) }, board);
    const refused = await verify(await present(w.agent, doctor, [identity], { iat: NOW_S }));
    expect(result(refused, 'credential.issuer-trust', 0)).toBe('fail');
  });
});
