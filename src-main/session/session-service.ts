/**
 * Staff sign-in on a shared workstation: enrolled identities (private key sealed under a PIN),
 * wrong-PIN counting with a growing lockout, auto-lock after inactivity, lock, unlock and
 * sign-out. Every change is pushed as a `session` event and written to the local sign-in log.
 *
 * The private key is only in memory while the session is signed in and unlocked.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ChannelName, EnrolledStaffIdentity, SessionState, SignInEvent, StaffIdentitySummary, StaffRole } from '../../src-shared/ipc/contract';
import type { CacheService } from '../cache/cache-service';
import { CACHE_KEY_LABEL, readKeyFile } from '../cache/key-file';
import type { ReadHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { workstationDates } from '../settings/date-time-settings';
import type { Clock, TimerHandle } from '../clock';
import { DEFAULT_SCRYPT, isSecretBox, openWithSecret, sealWithSecret, WrongSecretError, type ScryptParams } from '../crypto/secret-box';
import { DomainError } from '../errors';
import type { SessionGate } from '../ipc/dispatcher';
import { withChannelCrls, type ChannelMspCheck } from '../ledger/channel-msp';
import { checkIssuedByOrganisation, type OrganisationCa } from './organisation-ca';
import { parseStaffIdentity } from './staff-certificate';
import { KIND_IN_A_SENTENCE, kindsWithRole, roleBelongsTo, rolesOf, type OrganisationKind } from '../../src-shared/organisations/roles';

const PIN_LABEL = 'careledger staff private key';

export interface SessionServiceOptions {
  cache: CacheService;
  clock: Clock;
  onChange?: (state: SessionState) => void;
  /**
   * The workstation's organisation and its certificate authorities, from the ledger
   * configuration; null when none is configured (then nobody can be enrolled).
   */
  organisationCa: () => Promise<OrganisationCa | null>;
  /**
   * The last cross-check of `organisationCa` with the channel configuration (sync service). A
   * mismatch refuses enrolment; the channel's extra CRLs apply to enrolment and sign-in.
   * Absent or 'unchecked' (offline, not yet checked): the configured CAs apply alone.
   */
  channelMsp?: () => ChannelMspCheck;
  /**
   * The kind the Governance registry mirror gives an MSP, or null while the mirror does not know
   * it (not synced yet). When known it wins over the configured `organisationCa.organisationKind`.
   */
  registeredKind?: (mspId: string) => Promise<OrganisationKind | null>;
  scrypt?: ScryptParams;
  /** Wrong PINs in a row before a lockout (default 5). */
  maxWrongPins?: number;
  /** First lockout length; each further lockout doubles it, up to `maxLockoutMs`. */
  lockoutBaseMs?: number;
  maxLockoutMs?: number;
}

interface IdentityRow {
  id: string;
  display_name: string;
  msp_id: string;
  role: StaffRole;
  not_after: string;
  certificate_pem: string;
  sealed_private_key: string;
  failed_pins: number;
  lockouts: number;
  locked_until: string | null;
}

/** What the ledger layer needs to sign as the signed-in person. */
export interface SigningIdentity {
  summary: StaffIdentitySummary;
  certificatePem: string;
  privateKey: KeyObject;
}

type Session =
  | { status: 'signed-out' }
  | { status: 'locked'; identity: StaffIdentitySummary; lockedAt: number }
  | { status: 'signed-in'; identity: StaffIdentitySummary; certificatePem: string; privateKey: KeyObject; locksAt: number };

function summaryOf(row: IdentityRow, organisationKind: OrganisationKind): StaffIdentitySummary {
  return { id: row.id, displayName: row.display_name, mspId: row.msp_id, role: row.role, organisationKind, notAfter: row.not_after };
}

/** The sentence for a certificate whose role is not one of the organisation's kind. */
function roleNotOfKind(role: StaffRole, org: OrganisationCa, kind: OrganisationKind, use: 'enrol' | 'sign-in'): string {
  const allowed = rolesOf(kind).join(', ');
  const elsewhere = kindsWithRole(role).map((k) => KIND_IN_A_SENTENCE[k]);
  const where = elsewhere.length > 0 ? ` It is a role of ${elsewhere.join(' or ')}.` : '';
  const what = use === 'enrol' ? 'so it cannot be enrolled on this workstation' : 'so it can no longer be used to sign in on this workstation';
  return `This certificate's role "${role}" does not belong at ${org.organisationName}, which is ${KIND_IN_A_SENTENCE[kind]} (staff there sign in as ${allowed}), ${what}.${where} Ask your administrator for a staff certificate with one of ${org.organisationName}'s roles.`;
}

export class SessionService implements SessionGate {
  #session: Session = { status: 'signed-out' };
  #timer: TimerHandle | null = null;
  /** The PIN attempt in progress per identity id: the next one waits for it. */
  readonly #pinQueues = new Map<string, Promise<void>>();
  /**
   * Setup passphrase checks run one at a time, and wrong ones in a row pause enrolment like wrong
   * PINs pause a sign-in (kept in memory: guessing after a restart needs the machine restarted).
   */
  #setupQueue: Promise<void> = Promise.resolve();
  #setupWrong = 0;
  #setupPauses = 0;
  #setupPausedUntil = 0;
  #autoLockMinutes = 5;
  /** The organisation's kind as last resolved (#kindOf); summaries carry it. */
  #kind: OrganisationKind = 'hospital';
  readonly #clock: Clock;
  readonly #scrypt: ScryptParams;
  readonly #maxWrongPins: number;
  readonly #lockoutBaseMs: number;
  readonly #maxLockoutMs: number;

  constructor(private readonly options: SessionServiceOptions) {
    this.#clock = options.clock;
    this.#scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.#maxWrongPins = options.maxWrongPins ?? 5;
    this.#lockoutBaseMs = options.lockoutBaseMs ?? 60_000;
    this.#maxLockoutMs = options.maxLockoutMs ?? 60 * 60_000;
  }

  #iso(ms: number = this.#clock.now()): string {
    return new Date(ms).toISOString();
  }

  get #db(): ReturnType<CacheService['database']> {
    return this.options.cache.database();
  }

  // --- state -----------------------------------------------------------------------------

  /** The session as the dispatcher sees it; locks first when the inactivity deadline has passed (e.g. after sleep). */
  current(): { status: 'signed-out' } | { status: 'locked' | 'signed-in'; identity: StaffIdentitySummary } {
    const s = this.#session;
    if (s.status === 'signed-in' && this.#clock.now() >= s.locksAt) this.#autoLock();
    const now = this.#session;
    return now.status === 'signed-out' ? { status: 'signed-out' } : { status: now.status, identity: now.identity };
  }

  state(): SessionState {
    this.current();
    const s = this.#session;
    if (s.status === 'signed-out') return { status: 'signed-out' };
    if (s.status === 'locked') return { status: 'locked', identity: s.identity, lockedAt: this.#iso(s.lockedAt) };
    return { status: 'signed-in', identity: s.identity, autoLockMinutes: this.#autoLockMinutes, locksAt: this.#iso(s.locksAt) };
  }

  /** The signed-in person's certificate and key, for signing ledger transactions; null when locked or signed out. */
  signingIdentity(): SigningIdentity | null {
    this.current();
    const s = this.#session;
    return s.status === 'signed-in' ? { summary: s.identity, certificatePem: s.certificatePem, privateKey: s.privateKey } : null;
  }

  #changed(): SessionState {
    const state = this.state();
    this.options.onChange?.(state);
    return state;
  }

  #arm(): void {
    this.#disarm();
    const s = this.#session;
    if (s.status !== 'signed-in') return;
    const ms = Math.max(0, s.locksAt - this.#clock.now());
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = null;
      this.current();
    }, ms);
  }

  #disarm(): void {
    if (this.#timer) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
  }

  #autoLock(): void {
    const s = this.#session;
    if (s.status !== 'signed-in') return;
    this.#session = { status: 'locked', identity: s.identity, lockedAt: this.#clock.now() };
    this.#disarm();
    void this.#record('auto-lock', s.identity, `no activity for ${this.#autoLockMinutes} minute(s)`).catch(() => undefined);
    this.#changed();
  }

  // --- sign-in log -------------------------------------------------------------------------

  async #record(kind: SignInEvent['kind'], identity: StaffIdentitySummary | null, detail: string | null): Promise<void> {
    const at = this.#iso();
    await this.#db.write((w) =>
      w.run(sql`INSERT INTO sign_in_event (at, kind, identity_id, display_name, role, detail)
                VALUES (${at}, ${kind}, ${identity?.id ?? null}, ${identity?.displayName ?? null}, ${identity?.role ?? null}, ${detail})`),
    );
  }

  async recordRoleRefused(identity: StaffIdentitySummary, channel: ChannelName): Promise<void> {
    await this.#record('role-refused', identity, `refused: ${channel}`);
  }

  /** The local sign-in log, newest first. */
  async signInEvents(limit: number): Promise<SignInEvent[]> {
    const rows = await this.#db.read((r) =>
      r.all<{ at: string; kind: SignInEvent['kind']; identity_id: string | null; display_name: string | null; role: StaffRole | null; detail: string | null }>(
        sql`SELECT at, kind, identity_id, display_name, role, detail FROM sign_in_event ORDER BY seq DESC LIMIT ${limit}`,
      ),
    );
    return rows.map((r) => ({ at: r.at, kind: r.kind, identityId: r.identity_id, displayName: r.display_name, role: r.role, detail: r.detail }));
  }

  // --- identities ---------------------------------------------------------------------------

  /**
   * The kind of the workstation's organisation: the Governance registry mirror's word when it
   * knows the MSP, else the configured one, else a hospital (connection files written before
   * other kinds of organisation had workstations are all hospitals').
   */
  async #kindOf(org: OrganisationCa): Promise<OrganisationKind> {
    let registered: OrganisationKind | null = null;
    try {
      registered = (await this.options.registeredKind?.(org.mspId)) ?? null;
    } catch {
      // The cache is closed or the mirror unreadable: the configuration decides.
    }
    this.#kind = registered ?? org.organisationKind ?? 'hospital';
    return this.#kind;
  }

  /** The enrolled identities, with how many PIN tries each has left and any lockout (the sign-in screen says both). */
  async listIdentities(): Promise<EnrolledStaffIdentity[]> {
    const org = await this.options.organisationCa();
    if (org) await this.#kindOf(org);
    const rows = await this.#db.read((r) => r.all<IdentityRow>(sql`SELECT * FROM staff_identity ORDER BY display_name`));
    const now = this.#clock.now();
    return rows.map((row) => {
      const locked = row.locked_until !== null && Date.parse(row.locked_until) > now;
      return {
        ...summaryOf(row, this.#kind),
        pinTriesLeft: locked ? 0 : Math.max(0, this.#maxWrongPins - row.failed_pins),
        pinLockedUntil: locked ? row.locked_until : null,
      };
    });
  }

  /** The organisation whose staff this workstation enrols, for the enrolment form; null when none is configured. */
  async enrolmentOrganisation(): Promise<{ mspId: string; organisationName: string; organisationKind: OrganisationKind } | null> {
    const org = await this.options.organisationCa();
    return org ? { mspId: org.mspId, organisationName: org.organisationName, organisationKind: await this.#kindOf(org) } : null;
  }

  /**
   * Enrols a staff identity. Only whoever holds the workstation's setup (recovery) passphrase may
   * enrol, and only a certificate issued by a CA of the workstation's own organisation
   * (organisation-ca.ts) is accepted; the MSP ID is the configured one, never the request's.
   * Then the private key is sealed under the PIN and stored.
   * @throws DomainError SETUP_PASSPHRASE_WRONG, IDENTITY_UNTRUSTED, IDENTITY_INVALID (see
   *   parseStaffIdentity), CONFLICT when already enrolled.
   */
  async importIdentity(request: { certificatePem: string; privateKeyPem: string; mspId?: string | undefined; pin: string; setupPassphrase?: string | undefined }): Promise<StaffIdentitySummary> {
    await this.#checkSetupPassphrase(request.setupPassphrase);
    const org = await this.options.organisationCa();
    if (!org) {
      throw new DomainError(
        'IDENTITY_UNTRUSTED',
        "This workstation does not know which organisation it belongs to, so no staff can be enrolled. Ask IT support to install the ledger connection file with the organisation's MSP certificates.",
      );
    }
    const channel = this.options.channelMsp?.() ?? { status: 'unchecked' };
    if (channel.status === 'mismatch') throw new DomainError('IDENTITY_UNTRUSTED', channel.message, { mspId: org.mspId });
    if (request.mspId !== undefined && request.mspId !== org.mspId) {
      throw new DomainError(
        'IDENTITY_UNTRUSTED',
        `This workstation belongs to ${org.organisationName} (${org.mspId}); it cannot enrol staff of ${request.mspId}. Ask your administrator for a staff certificate from ${org.organisationName}.`,
        { mspId: org.mspId },
      );
    }
    const now = new Date(this.#clock.now());
    const kind = await this.#kindOf(org);
    const parsed = parseStaffIdentity({ certificatePem: request.certificatePem, privateKeyPem: request.privateKeyPem, mspId: org.mspId, organisationKind: kind }, now);
    if (!roleBelongsTo(parsed.summary.role, kind)) {
      throw new DomainError('IDENTITY_UNTRUSTED', roleNotOfKind(parsed.summary.role, org, kind, 'enrol'), { mspId: org.mspId, organisationKind: kind, role: parsed.summary.role });
    }
    await checkIssuedByOrganisation(new X509Certificate(parsed.certificatePem), withChannelCrls(org, channel), now);
    const pkcs8 = Buffer.from(parsed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const sealed = await sealWithSecret(pkcs8, request.pin, PIN_LABEL, this.#scrypt);
    pkcs8.fill(0);
    const s = parsed.summary;
    const enrolledAt = this.#iso();
    await this.#db.write(async (w) => {
      const existing = await w.get<{ id: string }>(sql`SELECT id FROM staff_identity WHERE id = ${s.id}`);
      if (existing) throw new DomainError('CONFLICT', `${s.displayName} is already enrolled on this workstation.`);
      await w.run(sql`INSERT INTO staff_identity (id, display_name, msp_id, role, not_after, certificate_pem, sealed_private_key, enrolled_at)
                      VALUES (${s.id}, ${s.displayName}, ${s.mspId}, ${s.role}, ${s.notAfter}, ${parsed.certificatePem}, ${JSON.stringify(sealed)}, ${enrolledAt})`);
    });
    await this.#record('identity-imported', s, null);
    return s;
  }

  /**
   * The enrolment rule holds at every sign-in too: an identity enrolled before it (or under a
   * configuration since changed), or revoked since on the organisation's CRL, no longer signs in.
   * @throws DomainError IDENTITY_UNTRUSTED
   */
  async #checkStillTrusted(row: IdentityRow): Promise<void> {
    const org = await this.options.organisationCa();
    if (!org) {
      throw new DomainError(
        'IDENTITY_UNTRUSTED',
        "This workstation does not know which organisation it belongs to, so nobody can sign in. Ask IT support to install the ledger connection file with the organisation's MSP certificates.",
      );
    }
    if (row.msp_id !== org.mspId) {
      throw new DomainError(
        'IDENTITY_UNTRUSTED',
        `${row.display_name} was enrolled for ${row.msp_id}, but this workstation belongs to ${org.organisationName} (${org.mspId}), so this identity can no longer be used to sign in here. Ask your administrator for a staff certificate from ${org.organisationName}.`,
      );
    }
    await checkIssuedByOrganisation(new X509Certificate(row.certificate_pem), withChannelCrls(org, this.options.channelMsp?.() ?? { status: 'unchecked' }), new Date(this.#clock.now()), 'sign-in');
    // The registry may have changed the organisation's kind since the enrolment.
    const kind = await this.#kindOf(org);
    if (!roleBelongsTo(row.role, kind)) throw new DomainError('IDENTITY_UNTRUSTED', roleNotOfKind(row.role, org, kind, 'sign-in'), { mspId: org.mspId, organisationKind: kind, role: row.role });
  }

  /**
   * Enrolment is an administrator's act: the setup passphrase is the recovery passphrase chosen
   * when the workstation was set up (kept by IT, never typed for everyday work), in keychain and
   * passphrase mode alike.
   * @throws DomainError SETUP_PASSPHRASE_WRONG
   */
  #checkSetupPassphrase(passphrase: string | undefined): Promise<void> {
    const attempt = this.#setupQueue.then(() => this.#checkSetupPassphraseNow(passphrase));
    this.#setupQueue = attempt.then(
      () => undefined,
      () => undefined,
    );
    return attempt;
  }

  async #checkSetupPassphraseNow(passphrase: string | undefined): Promise<void> {
    const needed = "Enrolling staff needs this workstation's setup passphrase (the recovery passphrase IT chose when the workstation was set up). Ask IT support to enter it.";
    if (passphrase === undefined || passphrase.length === 0) throw new DomainError('SETUP_PASSPHRASE_WRONG', needed);
    const paused = (until: number): DomainError =>
      new DomainError('SETUP_PASSPHRASE_WRONG', `Too many wrong setup passphrases: enrolment is paused until ${workstationDates().time(this.#iso(until))}. Ask IT support.`, {
        retryAt: this.#iso(until),
      });
    if (this.#clock.now() < this.#setupPausedUntil) throw paused(this.#setupPausedUntil);
    const keyFile = await readKeyFile(this.options.cache.keyFile);
    try {
      const key = await openWithSecret(keyFile.recovery, passphrase, CACHE_KEY_LABEL);
      key.fill(0);
    } catch (err) {
      if (!(err instanceof WrongSecretError)) throw err;
      this.#setupWrong += 1;
      if (this.#setupWrong >= this.#maxWrongPins) {
        this.#setupWrong = 0;
        this.#setupPauses += 1;
        this.#setupPausedUntil = this.#clock.now() + Math.min(this.#maxLockoutMs, this.#lockoutBaseMs * 2 ** (this.#setupPauses - 1));
        throw paused(this.#setupPausedUntil);
      }
      throw new DomainError('SETUP_PASSPHRASE_WRONG', "That is not this workstation's setup passphrase. Check it with IT support and try again.");
    }
    this.#setupWrong = 0;
    this.#setupPauses = 0;
  }

  async #identity(r: ReadHandle, id: string): Promise<IdentityRow> {
    const row = await r.get<IdentityRow>(sql`SELECT * FROM staff_identity WHERE id = ${id}`);
    if (!row) throw new DomainError('NOT_FOUND', 'This staff identity is not enrolled on this workstation.');
    return row;
  }

  /**
   * Opens the identity's private key with the PIN, counting wrong PINs.
   *
   * Attempts on one identity run one at a time, and each is charged to `failed_pins` in its own
   * write BEFORE the (slow) scrypt check: parallel guesses cannot all read the same count, and a
   * crash in the middle of a check still leaves the attempt counted. A right PIN clears the count.
   * @throws DomainError LOCKED_OUT (with `retryAt`), WRONG_PIN (with `attemptsLeft`).
   */
  #checkPin(id: string, pin: string): Promise<{ row: IdentityRow; privateKey: KeyObject }> {
    const previous = this.#pinQueues.get(id) ?? Promise.resolve();
    const attempt = previous.then(() => this.#checkPinNow(id, pin));
    const settled = attempt.then(
      () => undefined,
      () => undefined,
    );
    this.#pinQueues.set(id, settled);
    void settled.then(() => {
      if (this.#pinQueues.get(id) === settled) this.#pinQueues.delete(id);
    });
    return attempt;
  }

  async #checkPinNow(id: string, pin: string): Promise<{ row: IdentityRow; privateKey: KeyObject }> {
    const now = this.#clock.now();
    const row = await this.#db.write(async (w) => {
      const found = await this.#identity(w, id);
      if (found.locked_until !== null && Date.parse(found.locked_until) > now) return found;
      await w.run(sql`UPDATE staff_identity SET failed_pins = failed_pins + 1 WHERE id = ${id}`);
      return found;
    });
    if (row.locked_until !== null && Date.parse(row.locked_until) > now) {
      throw new DomainError('LOCKED_OUT', `Too many wrong PINs. Try again after ${workstationDates().time(row.locked_until)}.`, { retryAt: row.locked_until });
    }
    const box: unknown = JSON.parse(row.sealed_private_key);
    if (!isSecretBox(box)) throw new DomainError('IDENTITY_INVALID', 'The stored key of this identity is damaged. Enrol the identity again.');
    let pem: Buffer;
    try {
      pem = await openWithSecret(box, pin, PIN_LABEL);
    } catch (err) {
      if (!(err instanceof WrongSecretError)) throw err;
      return this.#wrongPin(row);
    }
    const privateKey = createPrivateKey(pem);
    pem.fill(0);
    await this.#db.write((w) => w.run(sql`UPDATE staff_identity SET failed_pins = 0, lockouts = 0, locked_until = NULL WHERE id = ${row.id}`));
    return { row, privateKey };
  }

  /** `row` is as read before this attempt was charged: this attempt is wrong PIN number `failed_pins + 1`. */
  async #wrongPin(row: IdentityRow): Promise<never> {
    const failed = row.failed_pins + 1;
    const summary = summaryOf(row, this.#kind);
    if (failed >= this.#maxWrongPins) {
      const lockouts = row.lockouts + 1;
      const ms = Math.min(this.#maxLockoutMs, this.#lockoutBaseMs * 2 ** (lockouts - 1));
      const retryAt = this.#iso(this.#clock.now() + ms);
      await this.#db.write((w) => w.run(sql`UPDATE staff_identity SET failed_pins = 0, lockouts = ${lockouts}, locked_until = ${retryAt} WHERE id = ${row.id}`));
      await this.#record('locked-out', summary, `locked until ${workstationDates().dateTime(retryAt, { seconds: true })}`);
      throw new DomainError('LOCKED_OUT', `Too many wrong PINs. Try again after ${workstationDates().time(retryAt)}.`, { retryAt });
    }
    await this.#record('wrong-pin', summary, null);
    const attemptsLeft = this.#maxWrongPins - failed;
    throw new DomainError('WRONG_PIN', `That PIN is not right. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left before a lockout.`, { attemptsLeft });
  }

  async #loadAutoLockMinutes(): Promise<void> {
    const row = await this.#db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM workstation_setting WHERE key = 'autoLockMinutes'`));
    const minutes = Number(row?.value);
    this.#autoLockMinutes = Number.isInteger(minutes) && minutes >= 1 && minutes <= 60 ? minutes : 5;
  }

  #start(row: IdentityRow, privateKey: KeyObject): void {
    this.#session = {
      status: 'signed-in',
      identity: summaryOf(row, this.#kind),
      certificatePem: row.certificate_pem,
      privateKey,
      locksAt: this.#clock.now() + this.#autoLockMinutes * 60_000,
    };
    this.#arm();
  }

  // --- session operations -----------------------------------------------------------------

  /** @throws DomainError NOT_FOUND, WRONG_PIN, LOCKED_OUT, IDENTITY_INVALID (certificate expired since enrolment), IDENTITY_UNTRUSTED (no longer chains to the organisation's CA, or revoked). */
  async signIn(request: { identityId: string; pin: string }): Promise<SessionState> {
    const { row, privateKey } = await this.#checkPin(request.identityId, request.pin);
    if (Date.parse(row.not_after) < this.#clock.now()) {
      throw new DomainError('IDENTITY_INVALID', `This certificate expired on ${row.not_after}. Ask your organisation for a new one and enrol it.`);
    }
    await this.#checkStillTrusted(row);
    // A locked session of someone else ends when another person signs in at this workstation.
    const previous = this.#session;
    if (previous.status !== 'signed-out' && previous.identity.id !== row.id) {
      await this.#record('sign-out', previous.identity, 'replaced by another sign-in');
    }
    await this.#loadAutoLockMinutes();
    this.#start(row, privateKey);
    await this.#record('sign-in', summaryOf(row, this.#kind), null);
    return this.#changed();
  }

  /** @throws DomainError NOT_SIGNED_IN, WRONG_PIN, LOCKED_OUT. */
  async unlock(request: { pin: string }): Promise<SessionState> {
    const s = this.#session;
    if (s.status === 'signed-out') throw new DomainError('NOT_SIGNED_IN', 'Nobody is signed in. Sign in first.');
    if (s.status === 'signed-in') return this.state();
    const { row, privateKey } = await this.#checkPin(s.identity.id, request.pin);
    this.#start(row, privateKey);
    await this.#record('unlock', s.identity, null);
    return this.#changed();
  }

  lock(): Promise<SessionState> {
    const s = this.#session;
    if (s.status !== 'signed-in') return Promise.resolve(this.state());
    this.#session = { status: 'locked', identity: s.identity, lockedAt: this.#clock.now() };
    this.#disarm();
    return Promise.resolve(this.#changed());
  }

  async signOut(): Promise<SessionState> {
    const s = this.#session;
    if (s.status === 'signed-out') return this.state();
    this.#session = { status: 'signed-out' };
    this.#disarm();
    await this.#record('sign-out', s.identity, null);
    return this.#changed();
  }

  /** The person did something: the auto-lock moves to `autoLockMinutes` from now. */
  activity(): SessionState {
    const s = this.#session;
    if (s.status === 'signed-in' && this.#clock.now() < s.locksAt) {
      s.locksAt = this.#clock.now() + this.#autoLockMinutes * 60_000;
      this.#arm();
    }
    return this.state();
  }

  async setAutoLock(minutes: number): Promise<SessionState> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new DomainError('VALIDATION', 'Choose between 1 and 60 minutes.');
    await this.#db.write((w) => w.run(sql`UPDATE workstation_setting SET value = ${String(minutes)} WHERE key = 'autoLockMinutes'`));
    this.#autoLockMinutes = minutes;
    const s = this.#session;
    if (s.status === 'signed-in') {
      s.locksAt = this.#clock.now() + minutes * 60_000;
      this.#arm();
    }
    return this.#changed();
  }

  /** Stops the timer (shutdown). */
  dispose(): void {
    this.#disarm();
    this.#session = { status: 'signed-out' };
  }
}
