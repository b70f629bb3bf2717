/**
 * The verification pipeline: one presentation in, one report out, with EVERY check and its
 * result, so the desk can say exactly why a wallet code was refused.
 *
 * Veramo checks signatures (through the offline resolver) and, through our plugin, status
 * lists; this file adds what Veramo does not: holder binding, freshness, audience, replay,
 * issuer trust per credential type at the time of issue, schemas and clock plausibility.
 *
 * Rules that hold throughout:
 * - fail closed: nothing we could not check counts as passed; it is "cannot determine";
 * - every credential is checked on its own, so one forged card fails alone and the others are
 *   still reported;
 * - no network: DID documents, trust registry and status lists come from local mirrors.
 */
import type { VerifiableCredential } from '@veramo/core';
import {
  CREDENTIAL_SUBJECT_SCHEMAS,
  CREDENTIAL_TYPE_LABELS,
  type CredentialType,
  isCredentialType,
  SELF_ISSUED_TYPES,
} from '../../src-shared/identity/credential-subjects';
import {
  type CheckResult,
  type CredentialReport,
  type PresentationSummary,
  type VerificationCheck,
  type VerificationReport,
  verdictOf,
} from '../../src-shared/identity/report';
import { createVerificationAgent, type VerificationAgent } from './agent';
import { type JwsErrorCode, NativeJwsVerifier } from './native-jws';
import { decodeJwt, type DecodedJwt, JwtFormatError, numericDate } from './jwt';
import type { DidWebCache, ReplayStore, StatusListMirror, TrustRegistryEntry, TrustRegistryMirror } from './mirrors';
import { workstationDates } from '../settings/date-time-settings';
import { NOT_IN_OFFLINE_CACHE, OFFLINE_CACHE_UNREADABLE } from './resolver';
import { type BitstringStatusResult, DEFAULT_STATUS_LIST_MAX_AGE_SECONDS, statusEntriesOf, type StatusEntryOutcome } from './status-plugin';

export interface VerificationPolicy {
  /** How old a presentation may be (now - iat). Default 300 s. */
  maxPresentationAgeSeconds: number;
  /** The longest lifetime a wallet may give a presentation (exp - iat); the format says 300 s. */
  maxPresentationLifetimeSeconds: number;
  /** Allowance for clocks that disagree a little (wallet phone vs workstation). Default 60 s. */
  clockSkewSeconds: number;
  /** Status lists confirmed against the ledger longer ago than this are stale. Default 24 h. */
  statusListMaxAgeSeconds: number;
  /** A trust registry mirror older than this cannot vouch for an issuer. Default 7 days. */
  trustRegistryMaxAgeSeconds: number;
  /** Warn when the last trusted ledger time is further back than this. Default 24 h. */
  clockJumpWarningSeconds: number;
  /** Size limits against hostile input. */
  maxPresentationLength: number;
  maxCredentialLength: number;
  maxCredentials: number;
}

export const DEFAULT_VERIFICATION_POLICY: VerificationPolicy = {
  maxPresentationAgeSeconds: 300,
  maxPresentationLifetimeSeconds: 300,
  clockSkewSeconds: 60,
  statusListMaxAgeSeconds: DEFAULT_STATUS_LIST_MAX_AGE_SECONDS,
  trustRegistryMaxAgeSeconds: 7 * 24 * 60 * 60,
  clockJumpWarningSeconds: 24 * 60 * 60,
  maxPresentationLength: 256 * 1024,
  maxCredentialLength: 32 * 1024,
  maxCredentials: 10,
};

export interface IdentityVerifierOptions {
  /** This hospital's DID: the only audience accepted and the grantee consents must name. */
  hospitalDid: string;
  trustRegistry: TrustRegistryMirror;
  statusLists: StatusListMirror;
  replayStore: ReplayStore;
  didWebCache: DidWebCache;
  policy?: Partial<VerificationPolicy>;
}

export interface VerifyPresentationInput {
  /** The time to check at (default: the workstation clock). */
  now?: Date;
  /** The newest time vouched for by the ledger (last block or event seen); enables the clock check. */
  lastTrustedLedgerTime?: Date | string | null;
  /** When the desk asked the wallet for a specific nonce, the presentation must carry it. */
  expectedNonce?: string;
}

const ALLOWED_ALGS = new Set(['EdDSA', 'ES256']);
/** Error codes did-jwt's verifyJWT reports (its JWT_ERROR values). */
const JWT_ERROR_CODES = new Set(['invalid_jwt', 'invalid_audience', 'invalid_signature', 'no_suitable_keys', 'not_supported', 'resolver_error']);
const VC_BASE_CONTEXT = 'https://www.w3.org/2018/credentials/v1';

/** Verifies wallet presentations for one hospital. Create once; safe to call concurrently. */
export class IdentityVerifier {
  readonly agent: VerificationAgent;
  readonly policy: VerificationPolicy;
  private readonly jws = new NativeJwsVerifier();

  constructor(private readonly options: IdentityVerifierOptions) {
    this.policy = { ...DEFAULT_VERIFICATION_POLICY, ...options.policy };
    this.agent = createVerificationAgent({
      didWebCache: options.didWebCache,
      statusLists: { mirror: options.statusLists, maxAgeSeconds: this.policy.statusListMaxAgeSeconds },
    });
  }

  /**
   * Runs every check on a VP-JWT. Never throws for bad input: a malformed, forged or hostile
   * presentation gives a report with verdict `invalid` and the reason.
   *
   * A presentation whose verdict is not `invalid` is remembered in the replay store, so the
   * same code cannot be used twice; to retry after a sync, ask the holder for a new code.
   */
  async verifyPresentation(vpJwt: string, input: VerifyPresentationInput = {}): Promise<VerificationReport> {
    const now = input.now ?? new Date();
    const checks: VerificationCheck[] = [];
    const summary: PresentationSummary = { id: null, holder: null, audience: null, nonce: null, issuedAt: null, expiresAt: null };

    let vp: DecodedJwt | null = null;
    try {
      vp = decodeJwt(vpJwt, this.policy.maxPresentationLength);
    } catch (err) {
      checks.push(check('presentation.format', 'fail', `The wallet code does not contain a readable presentation (${reasonOf(err)}). Ask the patient to create a new code in their wallet and scan again.`));
    }
    if (vp === null) {
      for (const id of ['presentation.signature', 'presentation.freshness', 'presentation.audience', 'presentation.replay'] as const) {
        checks.push(check(id, 'not-applicable', 'Not checked: the presentation could not be read.'));
      }
      checks.push(this.clockCheck(now, input.lastTrustedLedgerTime));
      return finish(now, summary, checks, []);
    }

    const p = vp.payload;
    const vpClaim = isRecord(p.vp) ? p.vp : null;
    const holder = typeof p.iss === 'string' ? p.iss : null;
    summary.id = typeof p.jti === 'string' ? p.jti : null;
    summary.holder = holder;
    summary.audience = typeof p.aud === 'string' ? p.aud : Array.isArray(p.aud) ? p.aud.map(String).join(', ') : null;
    summary.nonce = typeof p.nonce === 'string' ? p.nonce : null;
    summary.issuedAt = isoOf(numericDate(p, 'iat'));
    summary.expiresAt = isoOf(numericDate(p, 'exp'));

    const credentialJwts = vpClaim !== null && Array.isArray(vpClaim.verifiableCredential) ? (vpClaim.verifiableCredential as unknown[]) : [];
    // The presentation's own checks and each credential's are independent: run them together,
    // so the mirrors' reads (cache queries) overlap; the report keeps its fixed order.
    const limited = credentialJwts.slice(0, this.policy.maxCredentials);
    const [signature, replay, credentials] = await Promise.all([
      this.signatureCheck(vp, holder, 'presentation', now),
      this.replayCheck(summary.id),
      Promise.all(limited.map((raw, i) => this.verifyCredential(raw, i, holder, now))),
    ]);
    checks.push(this.presentationFormatCheck(vp, vpClaim, holder, credentialJwts));
    checks.push(signature);
    checks.push(this.freshnessCheck(p, now, input.expectedNonce));
    checks.push(this.audienceCheck(p));
    checks.push(replay);
    checks.push(this.clockCheck(now, input.lastTrustedLedgerTime));

    const report = finish(now, summary, checks, credentials);
    if (report.verdict !== 'invalid' && summary.id !== null) {
      // Remember only presentations the desk may act on; the write is also the race check.
      const keepUntil = new Date(Math.max(numericDate(p, 'exp')?.getTime() ?? 0, now.getTime()) + this.policy.clockSkewSeconds * 1000 + this.policy.maxPresentationAgeSeconds * 1000);
      const first = await this.options.replayStore.remember(summary.id, keepUntil);
      if (!first) {
        replay.result = 'fail';
        replay.message = REPLAY_MESSAGE;
        return finish(now, summary, checks, credentials);
      }
    }
    return report;
  }

  // -------------------------------------------------------------------------------------
  // Presentation checks

  private presentationFormatCheck(vp: DecodedJwt, vpClaim: Record<string, unknown> | null, holder: string | null, credentialJwts: unknown[]): VerificationCheck {
    const problems: string[] = [];
    const p = vp.payload;
    if (!ALLOWED_ALGS.has(String(vp.header.alg))) problems.push(`signature algorithm ${String(vp.header.alg)} is not accepted`);
    if (vpClaim === null) problems.push('it has no "vp" claim');
    else {
      if (!asStrings(vpClaim.type).includes('VerifiablePresentation')) problems.push('it is not of type VerifiablePresentation');
      if (vpClaim.holder !== undefined && vpClaim.holder !== holder) problems.push('the holder inside does not match the signer');
      if (credentialJwts.length === 0) problems.push('it carries no credentials');
      if (credentialJwts.length > this.policy.maxCredentials) problems.push(`it carries more than ${this.policy.maxCredentials} credentials`);
      if (credentialJwts.some((c) => typeof c !== 'string')) problems.push('a credential inside is not in JWT form');
    }
    if (holder === null || !holder.startsWith('did:')) problems.push('it does not say who presents it');
    if (typeof p.jti !== 'string' || !/^urn:uuid:[0-9a-fA-F-]{36}$/.test(p.jti)) problems.push('it has no presentation id');
    if (problems.length > 0) {
      return check('presentation.format', 'fail', `The wallet code is not a valid presentation: ${problems.join('; ')}. Ask the patient to create a new code in their wallet.`);
    }
    return check('presentation.format', 'pass', `The presentation is well formed and carries ${credentialJwts.length} credential(s).`);
  }

  private async signatureCheck(decoded: DecodedJwt, signer: string | null, what: 'presentation' | 'credential', now: Date, label = 'card'): Promise<VerificationCheck> {
    const jwt = decoded.jwt;
    const id = what === 'presentation' ? 'presentation.signature' : 'credential.signature';
    const whose = what === 'presentation' ? "the holder's" : "the issuer's";
    if (signer === null) return check(id, 'fail', `The ${what === 'presentation' ? 'presentation' : label} does not say who signed it, so its signature cannot be checked. Do not accept it.`);
    const resolved = await this.agent.resolveDid({ didUrl: signer });
    if (resolved.didDocument === null || resolved.didDocument === undefined) {
      const error = resolved.didResolutionMetadata.error;
      if (signer.startsWith('did:web:') && error === NOT_IN_OFFLINE_CACHE) {
        return check(id, 'cannot-determine', `The workstation does not yet have ${whose} public key (${signer}) on file, so the signature cannot be checked offline. Sync with the ledger and scan again, or ask IT to import the institution's identity document.`, { signer });
      }
      if (signer.startsWith('did:web:') && error === OFFLINE_CACHE_UNREADABLE) {
        // A damaged local copy says nothing about the credential: unknown, not forged.
        return check(id, 'cannot-determine', `The workstation's saved copy of ${whose} public key (${signer}) is damaged, so the signature cannot be checked. Sync with the ledger to replace it and scan again; if it persists, call IT support.`, { signer });
      }
      return check(id, 'fail', `${cap(whose)} identifier (${signer}) is not valid, so the signature cannot be trusted. Do not accept this ${what === 'presentation' ? 'code' : label}.`, { signer, error: error ?? null });
    }
    let verified = false;
    let errorCode: string | null = null;
    const native = this.jws.verifyJws(jwt, decoded.header.alg, resolved.didDocument);
    if (native.verified === 'fallback') {
      // A key form the native path does not read: Veramo (did-jwt) judges it, as it always did.
      // Time rules are our own checks (with clearer messages); here only the signature counts.
      const policies = { now: Math.floor(now.getTime() / 1000), nbf: false, iat: false, exp: false, aud: false, issuanceDate: false, expirationDate: false, audience: false, credentialStatus: false, format: false };
      try {
        const result =
          what === 'presentation' ? await this.agent.verifyPresentation({ presentation: jwt, policies }) : await this.agent.verifyCredential({ credential: jwt, policies });
        verified = result.verified;
        errorCode = result.error?.errorCode ?? null;
      } catch (err) {
        errorCode = reasonOf(err);
      }
    } else if (native.verified) {
      // As Veramo did after the signature: a presentation whose credentials cannot be read is
      // not confirmed (the credential checks say which one).
      errorCode = what === 'presentation' ? unreadableCredentialsOf(decoded.payload) : null;
      verified = errorCode === null;
    } else {
      errorCode = native.errorCode satisfies JwsErrorCode;
    }
    if (verified) {
      return check(id, 'pass', what === 'presentation' ? 'The presentation is signed by its holder.' : `The ${label} carries a valid signature of its issuer.`, { signer });
    }
    const forged = errorCode === 'invalid_signature' || errorCode === 'no_suitable_keys';
    // did-jwt's own failures carry these prefixes; anything else came from reading the
    // contents after the signature step, so say that rather than "forged".
    const unreadable = !forged && !JWT_ERROR_CODES.has(errorCode ?? '');
    const message =
      what === 'presentation'
        ? forged
          ? 'The signature on the wallet code does not match its holder: the code was altered or forged. Do not accept it; ask the patient to create a new code.'
          : unreadable
            ? 'The signature on the wallet code could not be confirmed because its contents are malformed (see the other problems). Do not accept it; ask the patient to create a new code.'
            : 'The signature on the wallet code could not be verified. Do not accept it; ask the patient to create a new code.'
        : forged
          ? `The ${label}'s signature does not match its issuer: the ${label} was altered or forged. Do not accept this ${label}; ask the holder to have it reissued.`
          : `The ${label}'s signature could not be verified. Do not accept this ${label}; ask the holder to have it reissued.`;
    return check(id, 'fail', message, { signer, error: errorCode });
  }

  private freshnessCheck(p: Record<string, unknown>, now: Date, expectedNonce: string | undefined): VerificationCheck {
    const skew = this.policy.clockSkewSeconds * 1000;
    const maxAge = this.policy.maxPresentationAgeSeconds * 1000;
    const iat = numericDate(p, 'iat');
    const nbf = numericDate(p, 'nbf');
    const exp = numericDate(p, 'exp');
    const t = now.getTime();
    const fail = (why: string, details?: VerificationCheck['details']): VerificationCheck =>
      check('presentation.freshness', 'fail', `${why} Ask the patient to create a new code in their wallet and scan it now.`, details);
    if (iat === undefined || iat === null || exp === undefined || exp === null || nbf === null) {
      return fail('The wallet code does not say when it was made or until when it is valid.');
    }
    const details = { issuedAt: iat.toISOString(), expiresAt: exp.toISOString(), ageSeconds: Math.round((t - iat.getTime()) / 1000) };
    if (iat.getTime() > t + skew || (nbf !== undefined && nbf.getTime() > t + skew)) {
      return fail('The wallet code claims to be made in the future: the phone or this workstation shows the wrong time.', details);
    }
    if (exp.getTime() - iat.getTime() > this.policy.maxPresentationLifetimeSeconds * 1000) {
      return fail(`The wallet code is valid for longer than the ${describeDuration(this.policy.maxPresentationLifetimeSeconds * 1000)} a wallet code may last.`, details);
    }
    if (t - iat.getTime() > maxAge + skew) {
      return fail(`The wallet code was made ${describeDuration(t - iat.getTime())} ago; codes are accepted for ${describeDuration(maxAge)}.`, details);
    }
    if (exp.getTime() < t - skew) return fail('The wallet code has expired.', details);
    if (expectedNonce !== undefined && p.nonce !== expectedNonce) {
      return fail('The wallet code was not made for this request (its challenge does not match).', details);
    }
    return check('presentation.freshness', 'pass', `The wallet code was made ${describeDuration(Math.max(0, t - iat.getTime()))} ago and is still valid.`, details);
  }

  private audienceCheck(p: Record<string, unknown>): VerificationCheck {
    const hospital = this.options.hospitalDid;
    // Always required: every presentation this pipeline accepts is for admission or
    // credentialing at one hospital, and the wallet always names it. A code without an audience
    // could be shown at any hospital that sees it (a photo of the screen, a leaked log) within
    // its five minutes; see docs/formats/credentials.md.
    if (p.aud === undefined || p.aud === null || p.aud === '' || (Array.isArray(p.aud) && p.aud.length === 0)) {
      return check('presentation.audience', 'fail', 'The wallet code does not say which hospital it is for. Ask the patient to create a new code for this hospital in their wallet.');
    }
    // Exactly this hospital: a code addressed to several places could be replayed at another.
    const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
    if (aud.length === 1 && aud[0] === hospital) {
      return check('presentation.audience', 'pass', 'The wallet code is addressed to this hospital.', { audience: hospital });
    }
    return check('presentation.audience', 'fail', `The wallet code was made for another recipient (${aud.map(String).join(', ')}), not this hospital. Ask the patient to create a code for this hospital.`, {
      audience: aud.map(String).join(', '),
      expected: hospital,
    });
  }

  private async replayCheck(jti: string | null): Promise<VerificationCheck> {
    if (jti === null) return check('presentation.replay', 'fail', 'The wallet code has no id, so the workstation cannot tell whether it was already used. Ask the patient to create a new code.');
    if (await this.options.replayStore.has(jti)) return check('presentation.replay', 'fail', REPLAY_MESSAGE, { presentationId: jti });
    return check('presentation.replay', 'pass', 'This wallet code has not been used before.', { presentationId: jti });
  }

  private clockCheck(now: Date, lastLedger: Date | string | null | undefined): VerificationCheck {
    if (lastLedger === undefined || lastLedger === null) {
      return check('workstation.clock', 'not-applicable', 'No ledger time is known yet to compare the workstation clock with.');
    }
    const ledger = new Date(lastLedger);
    if (Number.isNaN(ledger.getTime())) return check('workstation.clock', 'not-applicable', 'The last ledger time is unreadable, so the clock was not compared.');
    const diff = now.getTime() - ledger.getTime();
    const details = { workstationTime: now.toISOString(), lastLedgerTime: ledger.toISOString() };
    if (diff < -this.policy.clockSkewSeconds * 1000) {
      // Expiry and freshness decisions rest on this clock; one that went back cannot be trusted.
      return check(
        'workstation.clock',
        'cannot-determine',
        `The workstation clock is ${describeDuration(-diff)} behind the ledger's last known time, so dates cannot be checked reliably. Ask IT to correct the date and time, then scan again.`,
        details,
      );
    }
    if (diff > this.policy.clockJumpWarningSeconds * 1000) {
      return {
        ...check(
          'workstation.clock',
          'pass',
          `The workstation has not heard from the ledger for ${describeDuration(diff)}. Check that the date and time on this workstation are right.`,
          details,
        ),
        warning: true,
      };
    }
    return check('workstation.clock', 'pass', 'The workstation clock agrees with the ledger.', details);
  }

  // -------------------------------------------------------------------------------------
  // Credential checks

  private async verifyCredential(raw: unknown, index: number, holder: string | null, now: Date): Promise<CredentialReport> {
    const report: CredentialReport = {
      index,
      type: null,
      id: null,
      issuer: null,
      subject: null,
      validFrom: null,
      validUntil: null,
      credentialSubject: null,
      verified: false,
      checks: [],
    };
    let vc: DecodedJwt;
    try {
      vc = decodeJwt(raw, this.policy.maxCredentialLength);
    } catch (err) {
      report.checks.push(check('credential.format', 'fail', `Credential ${index + 1} cannot be read (${reasonOf(err)}). Ask the holder to create a new code in their wallet.`));
      for (const id of CREDENTIAL_CHECKS_AFTER_FORMAT) report.checks.push(check(id, 'not-applicable', 'Not checked: the credential could not be read.'));
      return report;
    }
    const p = vc.payload;
    const claim = isRecord(p.vc) ? p.vc : {};
    const types = asStrings(claim.type).filter(isCredentialType);
    const type: CredentialType | null = types.length === 1 ? (types[0] ?? null) : null;
    const subjectClaim = isRecord(claim.credentialSubject) ? claim.credentialSubject : null;
    const issuer = typeof p.iss === 'string' ? p.iss : null;
    const sub = typeof p.sub === 'string' ? p.sub : null;
    const subject = subjectClaim !== null && typeof subjectClaim.id === 'string' ? subjectClaim.id : sub;
    const label = type === null ? `credential ${index + 1}` : CREDENTIAL_TYPE_LABELS[type];
    const period = validityPeriod(p, claim);
    report.type = type;
    report.id = typeof p.jti === 'string' ? p.jti : null;
    report.issuer = issuer;
    report.subject = subject;
    report.validFrom = isoOf(period.from);
    report.validUntil = isoOf(period.until);
    report.credentialSubject = subjectClaim === null ? null : { ...subjectClaim, id: subject };

    report.checks.push(credentialFormatCheck(vc, claim, type, issuer, sub, subjectClaim, label));
    report.checks.push(await this.signatureCheck(vc, issuer, 'credential', now, label));
    report.checks.push(holderBindingCheck(type, issuer, subject, holder, label));
    report.checks.push(await this.issuerTrustCheck(type, issuer, holder, subject, period.from ?? numericDate(p, 'iat') ?? null, now, label));
    report.checks.push(this.validityCheck(period, now, label));
    const normalized: VerifiableCredential = {
      '@context': asStrings(claim['@context']),
      type: asStrings(claim.type),
      issuer: { id: issuer ?? '' },
      issuanceDate: isoOf(period.from) ?? '',
      credentialSubject: report.credentialSubject ?? {},
      credentialStatus: claim.credentialStatus as VerifiableCredential['credentialStatus'],
      proof: { type: 'JwtProof2020', jwt: vc.jwt },
    };
    const status = statusEntriesOf(normalized).length === 0 ? null : await this.agent.checkCredentialStatus({ credential: normalized, now });
    report.checks.push(statusCheck('revocation', status, label, type));
    report.checks.push(statusCheck('suspension', status, label, type));
    report.checks.push(schemaCheck(type, report.credentialSubject, label));
    if (type === 'ConsentGrantCredential') report.checks.push(this.granteeCheck(report.credentialSubject));

    report.verified = report.checks.every((c) => c.result === 'pass' || c.result === 'not-applicable');
    return report;
  }

  private async issuerTrustCheck(
    type: CredentialType | null,
    issuer: string | null,
    holder: string | null,
    subject: string | null,
    issuedAt: Date | null,
    now: Date,
    label: string,
  ): Promise<VerificationCheck> {
    const id = 'credential.issuer-trust';
    if (type === null || issuer === null) return check(id, 'fail', `The ${label} is not of a kind this workstation accepts, so no issuer is trusted for it.`);
    if (SELF_ISSUED_TYPES.includes(type)) {
      // A consent is the patient's own word: it needs no registry entry, only the patient's own signature.
      if (issuer === holder && issuer === subject) return check(id, 'pass', `The ${label} is issued by the patient themselves, as it must be.`, { issuer });
      return check(id, 'fail', `The ${label} was not issued by the patient themselves (issuer ${issuer}). Only the patient can grant consent; ask them to grant it from their own wallet.`, { issuer });
    }
    const freshness = await this.options.trustRegistry.freshness();
    const asOf = freshness === undefined ? Number.NaN : Date.parse(freshness.asOf);
    if (Number.isNaN(asOf)) {
      return check(id, 'cannot-determine', `The list of trusted issuers has not been received from the ledger yet, so the issuer of the ${label} cannot be checked. Connect to the ledger, let it sync, and scan again.`, { issuer });
    }
    if (now.getTime() - asOf > this.policy.trustRegistryMaxAgeSeconds * 1000) {
      return check(
        id,
        'cannot-determine',
        `The list of trusted issuers was last updated ${describeDuration(now.getTime() - asOf)} ago, too long to rely on. Connect to the ledger, let it sync, and scan again.`,
        { issuer, registryAsOf: new Date(asOf).toISOString() },
      );
    }
    const entries = await this.options.trustRegistry.entriesFor(issuer);
    const details = { issuer, registryAsOf: new Date(asOf).toISOString() };
    if (entries.length === 0) {
      return check(id, 'fail', `The ${label} comes from an issuer that is not in the trusted issuer list (${issuer}). Do not accept it; ask for ${an(label)} from a recognised issuer.`, details);
    }
    if (entries.some((e) => e.removed === true && e.credentialTypes.includes(type))) {
      return check(id, 'fail', `The issuer of the ${label} has been removed from the trusted issuer list; nothing it issued is accepted. Ask for ${an(label)} from another issuer.`, details);
    }
    const forType = entries.filter((e) => e.removed !== true && e.credentialTypes.includes(type));
    if (forType.length === 0) {
      return check(id, 'fail', `The issuer (${issuer}) is trusted for other kinds of credentials, but not to issue ${an(label)}. Do not accept this ${label}.`, details);
    }
    if (issuedAt === null) return check(id, 'fail', `The ${label} does not say when it was issued, so the issuer's trust at that time cannot be checked.`, details);
    const match = forType.find((e) => trustedAt(e, issuedAt));
    if (match === undefined) {
      return check(id, 'fail', `The issuer was not trusted to issue ${an(label)} on ${formatTime(issuedAt)}, when this one was issued. Ask the holder for a newer ${label}.`, { ...details, issuedAt: issuedAt.toISOString() });
    }
    return check(id, 'pass', `The issuer is trusted to issue ${an(label)} (operated by ${match.operatorMspId}).`, { ...details, operatorMspId: match.operatorMspId });
  }

  private validityCheck(period: { from: Date | null | undefined; until: Date | null | undefined }, now: Date, label: string): VerificationCheck {
    const id = 'credential.validity-period';
    const skew = this.policy.clockSkewSeconds * 1000;
    const details = { validFrom: isoOf(period.from), validUntil: isoOf(period.until) };
    if (period.from === null || period.until === null) return check(id, 'fail', `The ${label}'s validity dates are unreadable. Ask the holder to have it reissued.`, details);
    if (period.from !== undefined && period.from.getTime() > now.getTime() + skew) {
      return check(id, 'fail', `The ${label} is not valid yet: it starts on ${formatTime(period.from)}. Ask for ${an(label)} that is valid today.`, details);
    }
    if (period.until !== undefined && period.until.getTime() < now.getTime() - skew) {
      return check(id, 'fail', `The ${label} expired on ${formatTime(period.until)}. Ask the holder for a current ${label}.`, details);
    }
    return check(id, 'pass', period.until === undefined ? `The ${label} is valid and has no end date.` : `The ${label} is valid until ${formatTime(period.until)}.`, details);
  }

  private granteeCheck(subject: Record<string, unknown> | null): VerificationCheck {
    const grantee = subject?.grantee;
    if (grantee === this.options.hospitalDid) return check('consent.grantee', 'pass', 'The consent is granted to this hospital.', { grantee });
    const name = typeof subject?.granteeName === 'string' ? subject.granteeName : 'another organisation';
    return check('consent.grantee', 'fail', `The consent is granted to ${name} (${String(grantee)}), not to this hospital. Ask the patient to grant consent to this hospital in their wallet.`, {
      grantee: typeof grantee === 'string' ? grantee : null,
      expected: this.options.hospitalDid,
    });
  }
}

/**
 * What Veramo's presentation normalisation refused after a good signature: a credential entry
 * that is text but not a readable JWT. Returns its error code, or null when all are readable.
 */
function unreadableCredentialsOf(payload: Record<string, unknown>): string | null {
  const vpClaim = isRecord(payload.vp) ? payload.vp : {};
  const entries = [payload.verifiableCredential, vpClaim.verifiableCredential].flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : v === undefined || v === null ? [] : [v]));
  for (const entry of entries) {
    if (typeof entry !== 'string') continue;
    try {
      decodeJwt(entry, Number.POSITIVE_INFINITY);
    } catch {
      return 'unknown credential format';
    }
  }
  return null;
}

const REPLAY_MESSAGE = 'This wallet code was already used. Codes work once: ask the patient to create a new code in their wallet and scan it.';

const CREDENTIAL_CHECKS_AFTER_FORMAT = [
  'credential.signature',
  'credential.holder-binding',
  'credential.issuer-trust',
  'credential.validity-period',
  'credential.revocation',
  'credential.suspension',
  'credential.schema',
] as const;

/** Creates a verifier; see IdentityVerifier.verifyPresentation. */
export function createIdentityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  return new IdentityVerifier(options);
}

function credentialFormatCheck(
  vc: DecodedJwt,
  claim: Record<string, unknown>,
  type: CredentialType | null,
  issuer: string | null,
  sub: string | null,
  subjectClaim: Record<string, unknown> | null,
  label: string,
): VerificationCheck {
  const problems: string[] = [];
  const p = vc.payload;
  if (!ALLOWED_ALGS.has(String(vc.header.alg))) problems.push(`signature algorithm ${String(vc.header.alg)} is not accepted`);
  if (!isRecord(p.vc)) problems.push('it has no "vc" claim');
  const contexts = asStrings(claim['@context']);
  if (contexts[0] !== VC_BASE_CONTEXT) problems.push('its first @context is not the W3C credentials context');
  const types = asStrings(claim.type);
  if (!types.includes('VerifiableCredential')) problems.push('it is not of type VerifiableCredential');
  if (type === null) problems.push(`its type (${types.filter((t) => t !== 'VerifiableCredential').join(', ') || 'none'}) is not one this workstation accepts`);
  if (issuer === null || !issuer.startsWith('did:')) problems.push('it does not name its issuer');
  if (subjectClaim === null) problems.push('it has no credential subject');
  if (sub !== null && typeof subjectClaim?.id === 'string' && subjectClaim.id !== sub) problems.push('its subject is named two different ways');
  if (typeof p.jti !== 'string' || !/^urn:uuid:[0-9a-fA-F-]{36}$/.test(p.jti)) problems.push('it has no credential id');
  for (const c of ['nbf', 'exp'] as const) if (typeof p[c] !== 'number') problems.push(`it has no ${c === 'nbf' ? 'start' : 'end'} date`);
  if (type !== null && !SELF_ISSUED_TYPES.includes(type) && statusEntriesOf(claim).length === 0) problems.push('it has no status entry, so its issuer could never revoke it');
  if (problems.length > 0) return check('credential.format', 'fail', `The ${label} is malformed: ${problems.join('; ')}. Ask the holder to have it reissued.`);
  return check('credential.format', 'pass', `The ${label} is well formed.`);
}

function holderBindingCheck(type: CredentialType | null, issuer: string | null, subject: string | null, holder: string | null, label: string): VerificationCheck {
  const id = 'credential.holder-binding';
  if (holder === null) return check(id, 'fail', `The presentation does not say who holds it, so it cannot be checked that the ${label} is theirs.`);
  const details = { holder, subject, issuer };
  if (subject !== holder) {
    return check(id, 'fail', `The ${label} belongs to someone else (${subject ?? 'nobody named'}), not to the person presenting the code. Do not accept it.`, details);
  }
  if (type !== null && SELF_ISSUED_TYPES.includes(type) && issuer !== holder) {
    return check(id, 'fail', `The ${label} was signed by someone other than the patient presenting it. Do not accept it.`, details);
  }
  return check(id, 'pass', `The ${label} belongs to the person presenting the code.`, details);
}

function statusCheck(purpose: 'revocation' | 'suspension', status: BitstringStatusResult | null, label: string, type: CredentialType | null): VerificationCheck {
  const id = purpose === 'revocation' ? 'credential.revocation' : 'credential.suspension';
  const entries = status?.entries.filter((e) => e.purpose === purpose) ?? [];
  const word = purpose === 'revocation' ? 'revoked' : 'suspended';
  if (entries.length === 0) {
    const why =
      type !== null && SELF_ISSUED_TYPES.includes(type)
        ? `A ${label} is withdrawn on the ledger, not through a status list.`
        : `The issuer gave this ${label} no ${purpose} entry, so it cannot be ${word}.`;
    return check(id, 'not-applicable', why);
  }
  const details = (e: StatusEntryOutcome): VerificationCheck['details'] => ({
    listId: e.listId,
    index: e.index,
    reason: e.reason,
    listUpdatedAt: e.listUpdatedAt,
    listFetchedAt: e.listFetchedAt,
  });
  const malformed = entries.find((e) => e.state === 'malformed');
  if (malformed !== undefined) {
    const why =
      malformed.reason === 'list-of-other-issuer'
        ? `points to a status list that belongs to another issuer`
        : malformed.reason === 'list-of-other-purpose'
          ? `points to a status list kept for another purpose`
          : malformed.reason === 'index-out-of-range'
            ? 'points outside its status list'
            : `has a malformed ${purpose} entry`;
    return check(id, 'fail', `The ${label} ${why}, so it cannot be trusted. Ask the holder to have it reissued.`, details(malformed));
  }
  const set = entries.find((e) => e.state === 'set');
  if (set !== undefined) {
    const message =
      purpose === 'revocation'
        ? `The issuer has revoked this ${label}. Do not accept it; ask the holder for a current ${label}.`
        : `The issuer has suspended this ${label} for now. Do not accept it today; the holder should contact the issuer.`;
    return check(id, 'fail', message, details(set));
  }
  const unknown = entries.find((e) => e.state === 'unknown');
  if (unknown !== undefined) {
    const why =
      unknown.reason === 'list-missing'
        ? `the issuer's ${purpose} list has not been received from the ledger`
        : unknown.reason === 'list-stale'
          ? `the issuer's ${purpose} list was last confirmed ${unknown.listFetchedAt === null ? 'too long ago' : `on ${formatTime(new Date(unknown.listFetchedAt))}`}, too long ago to rely on`
          : `the issuer's ${purpose} list on this workstation is damaged`;
    return check(id, 'cannot-determine', `It cannot be checked whether the ${label} was ${word}: ${why}. Connect to the ledger, let it sync, and scan again.`, details(unknown));
  }
  const first = entries[0];
  return check(id, 'pass', `The ${label} has not been ${word}.`, first === undefined ? undefined : details(first));
}

function schemaCheck(type: CredentialType | null, subject: Record<string, unknown> | null, label: string): VerificationCheck {
  const id = 'credential.schema';
  if (type === null) return check(id, 'fail', `The ${label} is not of a kind this workstation accepts, so its details cannot be checked.`);
  const parsed = CREDENTIAL_SUBJECT_SCHEMAS[type].safeParse(subject);
  if (parsed.success) return check(id, 'pass', `The ${label}'s details are complete and in the expected form.`);
  const issues = parsed.error.issues.slice(0, 3).map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
  return check(id, 'fail', `The ${label}'s details are not in the expected form (${issues.join('; ')}). Ask the holder to have it reissued by the issuer.`, { issues: issues.join('; ') });
}

function validityPeriod(p: Record<string, unknown>, claim: Record<string, unknown>): { from: Date | null | undefined; until: Date | null | undefined } {
  // The JWT claims and, when an issuer also wrote them, the data-model dates: the stricter wins.
  const from = [numericDate(p, 'nbf'), isoDate(claim.validFrom), isoDate(claim.issuanceDate)];
  const until = [numericDate(p, 'exp'), isoDate(claim.validUntil), isoDate(claim.expirationDate)];
  const pick = (values: (Date | null | undefined)[], later: boolean): Date | null | undefined => {
    if (values.includes(null)) return null;
    const dates = values.filter((d): d is Date => d instanceof Date);
    if (dates.length === 0) return undefined;
    return dates.reduce((a, b) => ((later ? b > a : b < a) ? b : a));
  };
  return { from: pick(from, true), until: pick(until, false) };
}

function trustedAt(entry: TrustRegistryEntry, at: Date): boolean {
  const from = Date.parse(entry.validFrom);
  const until = entry.validUntil === undefined ? Number.POSITIVE_INFINITY : Date.parse(entry.validUntil);
  return Number.isFinite(from) && !Number.isNaN(until) && from <= at.getTime() && at.getTime() < until;
}

function finish(now: Date, presentation: PresentationSummary, checks: VerificationCheck[], credentials: CredentialReport[]): VerificationReport {
  const all = [...checks, ...credentials.flatMap((c) => c.checks)];
  const verdict = verdictOf(all);
  const firstOf = (r: CheckResult): VerificationCheck | undefined => all.find((c) => c.result === r);
  const summary =
    verdict === 'valid'
      ? `Verified: the wallet code and its ${credentials.length} credential(s) passed every check.`
      : verdict === 'invalid'
        ? `Refused: ${all.filter((c) => c.result === 'fail').length} check(s) failed. ${firstOf('fail')?.message ?? ''}`.trim()
        : `Could not be fully checked: ${firstOf('cannot-determine')?.message ?? ''}`.trim();
  return { verdict, checkedAt: now.toISOString(), summary, presentation, checks, credentials, override: null };
}

function check(id: VerificationCheck['id'], result: CheckResult, message: string, details?: VerificationCheck['details']): VerificationCheck {
  return details === undefined ? { id, result, message } : { id, result, message, details };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function isoDate(v: unknown): Date | null | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t);
}

function isoOf(d: Date | null | undefined): string | null {
  return d instanceof Date ? d.toISOString() : null;
}

function reasonOf(err: unknown): string {
  if (err instanceof JwtFormatError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** "an insurance card", "a consent". */
function an(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "21 Nov 2026, 10:30": the workstation's date and time style, on the hospital's clock. */
export function formatTime(d: Date): string {
  return workstationDates().dateTime(d);
}

/** "4 minutes", "3 hours", "2 days". */
export function describeDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}
