/**
 * The shapes the first screen needs (cache state, session, staff list, date style, errors) and
 * the start state that carries them: a module of its own so the sign-in bundle can check the
 * start call's answer without building every schema of the contract (zod builds each schema when
 * its module is evaluated: the whole contract cost the sign-in screen 70-120 ms; see
 * tools/bench/NOTES.md). `contract.ts` re-exports all of it: import from there as before.
 *
 * Plain TypeScript: no electron, no node:*, no DOM.
 */
import { z } from 'zod';
import { DateTimePreferences } from '../datetime';
import { OrganisationKind } from '../organisations/roles';

/**
 * Staff roles as carried in the `role` attribute of a staff certificate. Which organisation kind
 * each role belongs to is in src-shared/organisations/roles.ts (ROLES_BY_KIND).
 */
export const StaffRole = z.enum([
  'admissions',
  'clinician',
  'claims',
  'credentialing',
  'privacy',
  'adjudicator',
  'governance-admin',
  'board-officer',
]);
export type StaffRole = z.infer<typeof StaffRole>;
export const STAFF_ROLES: readonly StaffRole[] = StaffRole.options;

/** Stable error codes; the UI maps each to a sentence a desk clerk understands. */
export const ErrorCode = z.enum([
  'VALIDATION', // the request did not match its schema
  'UNKNOWN_CHANNEL',
  'FORBIDDEN_SENDER', // the call came from a frame or origin that is not ours
  'NOT_SIGNED_IN',
  'SESSION_LOCKED', // signed in, but the workstation locked itself; PIN needed
  'ROLE_REFUSED', // signed in, but this role may not do this
  'WRONG_PIN',
  'LOCKED_OUT', // too many wrong PINs; wait until `retryAt`
  'IDENTITY_INVALID', // an imported certificate/key pair is unusable
  'IDENTITY_UNTRUSTED', // a certificate not issued by a CA of this workstation's organisation (or revoked, or not a client)
  'SETUP_PASSPHRASE_WRONG', // enrolment without the workstation's setup passphrase, or with a wrong one
  'CACHE_NEEDS_SETUP',
  'CACHE_LOCKED',
  'CACHE_WRONG_KEY',
  'CACHE_CORRUPT',
  'CACHE_TOO_NEW', // the database was written by a newer version of the app
  'KEYCHAIN_UNAVAILABLE',
  'NOT_FOUND',
  'CONFLICT',
  'UNAVAILABLE', // a dependency (ledger, keychain) is not reachable right now
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const IpcError = z.object({
  code: ErrorCode,
  /** A sentence for the user: what is wrong and what to do. Never a stack trace. */
  message: z.string(),
  /** Optional machine-readable details (e.g. `retryAt` for LOCKED_OUT). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type IpcError = z.infer<typeof IpcError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const StaffIdentitySummary = z.object({
  id: z.string(),
  /** The person's display name, from the certificate's common name. */
  displayName: z.string(),
  mspId: z.string(),
  role: StaffRole,
  /**
   * The kind of the workstation's organisation (the Governance registry's word once synced, the
   * connection file's or devnet bundle's before): with `role`, what the person may do here.
   */
  organisationKind: OrganisationKind,
  /** ISO time the certificate stops being valid. */
  notAfter: z.string(),
});
export type StaffIdentitySummary = z.infer<typeof StaffIdentitySummary>;

/** An identity on the sign-in screen: also how many PIN tries are left, and any lockout. */
export const EnrolledStaffIdentity = StaffIdentitySummary.extend({
  /** Wrong PINs still allowed before a lockout. */
  pinTriesLeft: z.number().int().nonnegative(),
  /** ISO time a lockout ends, while one lasts; null otherwise. */
  pinLockedUntil: z.string().nullable(),
});
export type EnrolledStaffIdentity = z.infer<typeof EnrolledStaffIdentity>;

export const SessionState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-out') }),
  z.object({
    status: z.literal('locked'),
    identity: StaffIdentitySummary,
    lockedAt: z.string(),
  }),
  z.object({
    status: z.literal('signed-in'),
    identity: StaffIdentitySummary,
    autoLockMinutes: z.number().int().positive(),
    /** ISO time the session locks if nothing happens before then. */
    locksAt: z.string(),
  }),
]);
export type SessionState = z.infer<typeof SessionState>;

export const CacheState = z.discriminatedUnion('status', [
  /** First run: no cache yet; a passphrase (web host) and a recovery passphrase are set. */
  z.object({ status: z.literal('needs-setup'), keyProtection: z.enum(['os-keychain', 'passphrase']) }),
  /**
   * The cache exists but its key has not been unwrapped yet: with `passphrase` protection the
   * passphrase is needed; `needsRecovery` is true when the OS keychain could not give the key
   * back (keychain lost or reset), so only the recovery passphrase can open it.
   */
  z.object({ status: z.literal('locked'), keyProtection: z.enum(['os-keychain', 'passphrase']), needsRecovery: z.boolean() }),
  z.object({ status: z.literal('open'), schemaVersion: z.number().int(), keyProtection: z.enum(['os-keychain', 'passphrase']) }),
  z.object({ status: z.literal('error'), error: IpcError }),
]);
export type CacheState = z.infer<typeof CacheState>;

/** The workstation's date and time style; `chosen` false while the operating system's applies. */
export const DateTimeSettingsState = z.object({
  preferences: DateTimePreferences,
  chosen: z.boolean(),
  /** What the operating system would use, offered as the default. */
  system: DateTimePreferences,
});
export type DateTimeSettingsState = z.infer<typeof DateTimeSettingsState>;

/**
 * Everything the first screen needs, in one answer (one round trip instead of two in sequence):
 * the cache's state and, only once it is open, the session and the date and time style. The
 * staff list comes only while nobody is signed in or locked (the sign-in screen shows it; the
 * lock screen and the workstation do not need it) and is null if it could not be read, in which
 * case the sign-in screen asks for it itself and shows why it failed. It reveals nothing that
 * `cache.state`, `session.state`, `session.listIdentities` and `settings.dateTime` do not.
 */
export const StartState = z.object({
  cache: CacheState,
  session: SessionState.nullable(),
  identities: z.array(EnrolledStaffIdentity).nullable(),
  dateTime: DateTimeSettingsState.nullable(),
});
export type StartState = z.infer<typeof StartState>;
