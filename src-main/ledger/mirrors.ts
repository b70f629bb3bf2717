/**
 * What the workstation keeps from the ledger for offline work, as cache tables fed by the
 * inbox: trust registry, status lists, sanctions, consents granted to this organisation, this
 * organisation's claims, credential checks and privileges. Each mirror records how fresh it
 * is (`mirror_freshness`): the block it has applied through and the time it was last known to
 * match the ledger. The identity pipeline reads the trust registry and status lists through
 * its own interfaces, implemented here.
 *
 * Only ids, DIDs, statuses and hashes are mirrored. No PHI. Consents live in the hospitals-only
 * collection (docs/privacy-layout.md): their events carry ids and hashes, so the consent mirror
 * reads each consent on this hospital's own peer (`resolve`).
 */
import type { CacheDatabase } from '../cache/database';
import { sql } from '../cache/sql';
import type { MirrorFreshness, ReplayStore, StatusListMirror, StatusListRecord, TrustRegistryEntry, TrustRegistryMirror } from '../identity/mirrors';
import type { EventApplier, LedgerEvent } from './inbox';

export const MIRRORS = {
  trustRegistry: 'trust-registry',
  statusLists: 'status-lists',
  sanctions: 'sanctions',
  consents: 'consents',
  claims: 'claims',
  credentialChecks: 'credential-checks',
} as const;
export type MirrorName = (typeof MIRRORS)[keyof typeof MIRRORS];

/** A record inside an event payload, e.g. `{ issuer: {...} }` -> the issuer object. */
function field(event: LedgerEvent, name: string): Record<string, unknown> {
  const payload = event.payload;
  const value = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'object' || value === null) throw new Error(`event ${event.name} has no "${name}" object`);
  return value as Record<string, unknown>;
}

function text(record: Record<string, unknown>, name: string): string {
  const v = record[name];
  if (typeof v !== 'string' || v.length === 0) throw new Error(`missing text field "${name}"`);
  return v;
}

function optionalText(record: Record<string, unknown>, name: string): string | null {
  const v = record[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

const trustRegistryApplier: EventApplier = {
  mirror: MIRRORS.trustRegistry,
  events: ['TrustRegistry.IssuerAdded', 'TrustRegistry.IssuerUpdated', 'TrustRegistry.IssuerRemoved'],
  async apply(w, event) {
    const issuer = field(event, 'issuer');
    await w.run(sql`INSERT INTO mirror_trusted_issuer (issuer_did, record, block_number) VALUES (${text(issuer, 'issuerDid')}, ${JSON.stringify(issuer)}, ${event.blockNumber})
                    ON CONFLICT (issuer_did) DO UPDATE SET record = excluded.record, block_number = excluded.block_number`);
  },
};

const statusListApplier: EventApplier = {
  mirror: MIRRORS.statusLists,
  events: ['Status.ListPublished'],
  async apply(w, event, context) {
    const list = field(event, 'statusList');
    await w.run(sql`INSERT INTO mirror_status_list (list_id, issuer_did, record, block_number, fetched_at)
                    VALUES (${text(list, 'listId')}, ${text(list, 'issuerDid')}, ${JSON.stringify(list)}, ${event.blockNumber}, ${context.now})
                    ON CONFLICT (list_id) DO UPDATE SET issuer_did = excluded.issuer_did, record = excluded.record, block_number = excluded.block_number, fetched_at = excluded.fetched_at`);
  },
};

async function upsertSanction(w: Parameters<EventApplier['apply']>[0], s: Record<string, unknown>, blockNumber: number): Promise<void> {
  await w.run(sql`INSERT INTO mirror_sanction (sanction_id, subject_did, license_number, npi, record, block_number)
                  VALUES (${text(s, 'sanctionId')}, ${optionalText(s, 'subjectDid')}, ${optionalText(s, 'licenseNumber')}, ${optionalText(s, 'npi')}, ${JSON.stringify(s)}, ${blockNumber})
                  ON CONFLICT (sanction_id) DO UPDATE SET subject_did = excluded.subject_did, license_number = excluded.license_number, npi = excluded.npi, record = excluded.record, block_number = excluded.block_number`);
}

const sanctionsApplier: EventApplier = {
  mirror: MIRRORS.sanctions,
  events: ['Sanctions.Added', 'Sanctions.Lifted', 'Sanctions.Imported'],
  async apply(w, event) {
    if (event.name === 'Sanctions.Imported') {
      // An exclusion list import: one event lists every entry its batch added.
      const list = typeof event.payload === 'object' && event.payload !== null ? (event.payload as Record<string, unknown>)['sanctions'] : undefined;
      if (!Array.isArray(list)) throw new Error(`event ${event.name} has no "sanctions" list`);
      for (const s of list) {
        if (typeof s !== 'object' || s === null) throw new Error(`event ${event.name} lists a sanction that is not an object`);
        await upsertSanction(w, s as Record<string, unknown>, event.blockNumber);
      }
      return;
    }
    await upsertSanction(w, field(event, 'sanction'), event.blockNumber);
  },
};

/** The record `resolve` read for an event, as an object. */
function detailOf(event: LedgerEvent, what: string): Record<string, unknown> {
  const value = event.detail;
  if (typeof value !== 'object' || value === null) throw new Error(`event ${event.name}: the ${what} it names could not be read`);
  return value as Record<string, unknown>;
}

const consentApplier: EventApplier = {
  mirror: MIRRORS.consents,
  events: ['Consent.Granted', 'Consent.Revoked'],
  async resolve(event, _context, ledger) {
    const payload = event.payload;
    const consentId = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['consentId'] : undefined;
    if (typeof consentId !== 'string' || consentId.length === 0) throw new Error(`event ${event.name} names no consentId`);
    // The current record (a later revocation included): applying it again is an idempotent upsert.
    return ledger.evaluate('Consent:getConsent', consentId);
  },
  async apply(w, event, context) {
    const c = detailOf(event, 'consent');
    // Only consents granted to this organisation are needed (and kept) here.
    if (c.granteeMspId !== context.mspId) return;
    await w.run(sql`INSERT INTO mirror_consent (consent_id, patient_did, status, record, block_number)
                    VALUES (${text(c, 'consentId')}, ${text(c, 'patientDid')}, ${text(c, 'status')}, ${JSON.stringify(c)}, ${event.blockNumber})
                    ON CONFLICT (consent_id) DO UPDATE SET status = excluded.status, record = excluded.record, block_number = excluded.block_number`);
  },
};

const claimsApplier: EventApplier = {
  mirror: MIRRORS.claims,
  events: ['Claims.Submitted', 'Claims.Withdrawn', 'Claims.Resubmitted', 'Claims.Pended', 'Claims.Adjudicated', 'Claims.Paid'],
  async apply(w, event, context) {
    const c = field(event, 'claim');
    if (c.hospitalMspId !== context.mspId && c.insurerMspId !== context.mspId) return;
    // Never let an older block overwrite a newer status of the same claim.
    await w.run(sql`INSERT INTO mirror_claim (claim_id, status, record, block_number)
                    VALUES (${text(c, 'claimId')}, ${text(c, 'status')}, ${JSON.stringify(c)}, ${event.blockNumber})
                    ON CONFLICT (claim_id) DO UPDATE SET status = excluded.status, record = excluded.record, block_number = excluded.block_number
                    WHERE excluded.block_number >= mirror_claim.block_number`);
  },
};

const credentialChecksApplier: EventApplier = {
  mirror: MIRRORS.credentialChecks,
  events: ['Credentialing.VerificationRecorded', 'Credentialing.PrivilegesGranted', 'Credentialing.PrivilegesSuspended', 'Credentialing.PrivilegesReinstated', 'Credentialing.PrivilegesExpired'],
  async apply(w, event) {
    if (event.name === 'Credentialing.VerificationRecorded') {
      const v = field(event, 'verification');
      await w.run(sql`INSERT INTO mirror_credential_check (verification_id, doctor_did, outcome, record, block_number)
                      VALUES (${text(v, 'verificationId')}, ${text(v, 'doctorDid')}, ${text(v, 'outcome')}, ${JSON.stringify(v)}, ${event.blockNumber})
                      ON CONFLICT (verification_id) DO UPDATE SET outcome = excluded.outcome, record = excluded.record, block_number = excluded.block_number`);
      return;
    }
    const p = field(event, 'privileges');
    await w.run(sql`INSERT INTO mirror_privileges (privilege_id, doctor_did, status, record, block_number)
                    VALUES (${text(p, 'privilegeId')}, ${text(p, 'doctorDid')}, ${text(p, 'status')}, ${JSON.stringify(p)}, ${event.blockNumber})
                    ON CONFLICT (privilege_id) DO UPDATE SET status = excluded.status, record = excluded.record, block_number = excluded.block_number`);
  },
};

/** The appliers for the CareLedger chaincode's events. */
export const CARELEDGER_APPLIERS: readonly EventApplier[] = [trustRegistryApplier, statusListApplier, sanctionsApplier, consentApplier, claimsApplier, credentialChecksApplier];

// ---------------------------------------------------------------------------------------
// Readers

async function freshnessOf(db: CacheDatabase, mirror: MirrorName): Promise<(MirrorFreshness & { throughBlock: number | null }) | undefined> {
  const row = await db.read((r) => r.get<{ as_of: string; through_block: number | null }>(sql`SELECT as_of, through_block FROM mirror_freshness WHERE mirror = ${mirror}`));
  return row ? { asOf: row.as_of, throughBlock: row.through_block } : undefined;
}

function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

/** The ledger's trust registry, for the identity pipeline. */
export class CacheTrustRegistryMirror implements TrustRegistryMirror {
  constructor(private readonly db: CacheDatabase) {}

  async entriesFor(issuerDid: string): Promise<readonly TrustRegistryEntry[]> {
    const rows = await this.db.read((r) => r.all<{ record: string }>(sql`SELECT record FROM mirror_trusted_issuer WHERE issuer_did = ${issuerDid}`));
    return rows.map((row) => {
      const x = parse<{ issuerDid: string; operatorMspId: string; credentialTypes: string[]; validFrom: string; validUntil?: string; removed?: unknown }>(row.record);
      return {
        issuerDid: x.issuerDid,
        operatorMspId: x.operatorMspId,
        credentialTypes: x.credentialTypes,
        validFrom: x.validFrom,
        ...(x.validUntil ? { validUntil: x.validUntil } : {}),
        ...(x.removed ? { removed: true } : {}),
      };
    });
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return freshnessOf(this.db, MIRRORS.trustRegistry).then((f) => (f ? { asOf: f.asOf } : undefined));
  }
}

/** The ledger's status lists, for the identity pipeline. `fetchedAt` is the mirror's freshness. */
export class CacheStatusListMirror implements StatusListMirror {
  constructor(private readonly db: CacheDatabase) {}

  async get(listId: string): Promise<StatusListRecord | undefined> {
    const row = await this.db.read((r) => r.get<{ record: string; fetched_at: string }>(sql`SELECT record, fetched_at FROM mirror_status_list WHERE list_id = ${listId}`));
    if (!row) return undefined;
    const x = parse<{ issuerDid: string; statusPurpose: 'revocation' | 'suspension'; encodedList: string; updatedAt: string }>(row.record);
    const fresh = await freshnessOf(this.db, MIRRORS.statusLists);
    // The copy is confirmed against the ledger up to the mirror's freshness, not only when it last changed.
    const fetchedAt = fresh && fresh.asOf > row.fetched_at ? fresh.asOf : row.fetched_at;
    return { issuerDid: x.issuerDid, purpose: x.statusPurpose, encodedList: x.encodedList, updatedAt: x.updatedAt, fetchedAt };
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return freshnessOf(this.db, MIRRORS.statusLists).then((f) => (f ? { asOf: f.asOf } : undefined));
  }
}

/** Presentation ids already accepted, in the cache; check-and-remember is one transaction. */
export class CacheReplayStore implements ReplayStore {
  constructor(
    private readonly db: CacheDatabase,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async has(jti: string): Promise<boolean> {
    const at = this.now().toISOString();
    const row = await this.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM replay_seen WHERE jti = ${jti} AND keep_until > ${at}`));
    return (row?.n ?? 0) > 0;
  }

  remember(jti: string, keepUntil: Date): Promise<boolean> {
    const at = this.now().toISOString();
    return this.db.write(async (w) => {
      await w.run(sql`DELETE FROM replay_seen WHERE keep_until <= ${at}`);
      const { changes } = await w.run(sql`INSERT OR IGNORE INTO replay_seen (jti, keep_until) VALUES (${jti}, ${keepUntil.toISOString()})`);
      return changes === 1;
    });
  }
}

export interface SanctionRecord {
  sanctionId: string;
  subjectDid?: string;
  licenseNumber?: string;
  npi?: string;
  jurisdiction?: string;
  source?: string;
  reason: string;
  from: string;
  until?: string;
  lifted?: { at: string; reason: string };
  recordedAt?: string;
}

/** Sanctions (excluded practitioners) by DID, licence number or NPI, lifted ones included. */
export class CacheSanctionsMirror {
  constructor(private readonly db: CacheDatabase) {}

  async find(subject: { did?: string; licenseNumber?: string; npi?: string }): Promise<SanctionRecord[]> {
    const rows = await this.db.read((r) =>
      r.all<{ record: string }>(
        sql`SELECT record FROM mirror_sanction WHERE subject_did = ${subject.did ?? null} OR license_number = ${subject.licenseNumber ?? null} OR npi = ${subject.npi ?? null} ORDER BY sanction_id`,
      ),
    );
    return rows.map((row) => parse<SanctionRecord>(row.record));
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return freshnessOf(this.db, MIRRORS.sanctions).then((f) => (f ? { asOf: f.asOf } : undefined));
  }
}

/** Consents granted to this organisation, as the ledger's Consent contract recorded them. */
export class CacheConsentMirror {
  constructor(private readonly db: CacheDatabase) {}

  async forPatient(patientDid: string): Promise<Array<Record<string, unknown>>> {
    const rows = await this.db.read((r) => r.all<{ record: string }>(sql`SELECT record FROM mirror_consent WHERE patient_did = ${patientDid} ORDER BY consent_id`));
    return rows.map((row) => parse<Record<string, unknown>>(row.record));
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return freshnessOf(this.db, MIRRORS.consents).then((f) => (f ? { asOf: f.asOf } : undefined));
  }
}

/** This organisation's claims and their ledger status. */
export class CacheClaimMirror {
  constructor(private readonly db: CacheDatabase) {}

  async get(claimId: string): Promise<{ status: string; record: Record<string, unknown> } | undefined> {
    const row = await this.db.read((r) => r.get<{ status: string; record: string }>(sql`SELECT status, record FROM mirror_claim WHERE claim_id = ${claimId}`));
    return row ? { status: row.status, record: parse<Record<string, unknown>>(row.record) } : undefined;
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return freshnessOf(this.db, MIRRORS.claims).then((f) => (f ? { asOf: f.asOf } : undefined));
  }
}

/** Credential verifications and privileges recorded on the ledger (by any hospital), by doctor. */
export class CacheCredentialCheckMirror {
  constructor(private readonly db: CacheDatabase) {}

  async forDoctor(doctorDid: string): Promise<{ verifications: Array<Record<string, unknown>>; privileges: Array<Record<string, unknown>> }> {
    const [v, p] = await this.db.read(async (r) => [
      await r.all<{ record: string }>(sql`SELECT record FROM mirror_credential_check WHERE doctor_did = ${doctorDid} ORDER BY block_number`),
      await r.all<{ record: string }>(sql`SELECT record FROM mirror_privileges WHERE doctor_did = ${doctorDid} ORDER BY block_number`),
    ]);
    return { verifications: v.map((x) => parse<Record<string, unknown>>(x.record)), privileges: p.map((x) => parse<Record<string, unknown>>(x.record)) };
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return freshnessOf(this.db, MIRRORS.credentialChecks).then((f) => (f ? { asOf: f.asOf } : undefined));
  }
}
