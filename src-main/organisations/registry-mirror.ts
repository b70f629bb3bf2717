/**
 * The Governance organisation registry, mirrored from the ledger's `Governance.*` events into
 * `mirror_organisation` (migration 0007): which MSP is which kind of organisation, its DID and
 * its name. The workstation learns its own organisation's kind here once synced (the ledger's
 * word wins over the connection file's), and the governance screen lists the registry.
 *
 * Public registry data only (no personal data), as on the ledger's public state.
 */
import type { CacheDatabase } from '../cache/database';
import { sql } from '../cache/sql';
import type { EventApplier, LedgerEvent } from '../ledger/inbox';
import { OrganisationKind } from '../../src-shared/organisations/roles';
import type {
  OrganisationRegistryView,
  RegisteredOrganisation,
  TrustedIssuerEntry,
} from '../../src-shared/organisations/schemas';
import { MIRRORS } from '../ledger/mirrors';

export const ORGANISATION_MIRROR = 'organisations';

function organisationOf(event: LedgerEvent): RegisteredOrganisation {
  const payload = event.payload;
  const o =
    typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['organisation'] : undefined;
  if (typeof o !== 'object' || o === null) throw new Error(`event ${event.name} has no "organisation" object`);
  const r = o as Record<string, unknown>;
  const text = (name: string): string => {
    const v = r[name];
    if (typeof v !== 'string' || v.length === 0) throw new Error(`organisation without "${name}"`);
    return v;
  };
  const kind = OrganisationKind.safeParse(r['kind']);
  if (!kind.success) throw new Error(`organisation of unknown kind ${JSON.stringify(r['kind'])}`);
  const optional = (name: string): string | null => {
    const v = r[name];
    return typeof v === 'string' ? v : null;
  };
  return {
    mspId: text('mspId'),
    kind: kind.data,
    did: text('did'),
    name: text('name'),
    registeredAt: optional('registeredAt'),
    updatedAt: optional('updatedAt'),
  };
}

/** Keeps `mirror_organisation` from Governance:initialise, registerOrganisation and updateOrganisation. */
export const organisationRegistryApplier: EventApplier = {
  mirror: ORGANISATION_MIRROR,
  events: ['Governance.Initialised', 'Governance.OrganisationRegistered', 'Governance.OrganisationUpdated'],
  async apply(w, event) {
    const o = organisationOf(event);
    await w.run(sql`INSERT INTO mirror_organisation (msp_id, kind, did, name, record, block_number)
                    VALUES (${o.mspId}, ${o.kind}, ${o.did}, ${o.name}, ${JSON.stringify(o)}, ${event.blockNumber})
                    ON CONFLICT (msp_id) DO UPDATE SET kind = excluded.kind, did = excluded.did, name = excluded.name, record = excluded.record, block_number = excluded.block_number`);
  },
};

/** The kind the registry gives `mspId`, or null when the mirror does not know it (yet). */
export async function registeredKind(db: CacheDatabase, mspId: string): Promise<OrganisationKind | null> {
  const row = await db.read((r) =>
    r.get<{ kind: string }>(sql`SELECT kind FROM mirror_organisation WHERE msp_id = ${mspId}`),
  );
  const kind = OrganisationKind.safeParse(row?.kind);
  return kind.success ? kind.data : null;
}

/** Every registered organisation, by kind then name. */
export async function listRegisteredOrganisations(db: CacheDatabase): Promise<RegisteredOrganisation[]> {
  const rows = await db.read((r) =>
    r.all<{ record: string }>(sql`SELECT record FROM mirror_organisation ORDER BY kind, name`),
  );
  return rows.map((row) => JSON.parse(row.record) as RegisteredOrganisation);
}

/** The issuers of the trust registry mirror, with their operator's registered name. */
async function trustedIssuers(db: CacheDatabase, names: ReadonlyMap<string, string>): Promise<TrustedIssuerEntry[]> {
  const rows = await db.read((r) =>
    r.all<{ record: string }>(sql`SELECT record FROM mirror_trusted_issuer ORDER BY issuer_did`),
  );
  return rows.map((row) => {
    const x = JSON.parse(row.record) as {
      issuerDid: string;
      operatorMspId: string;
      credentialTypes?: string[];
      validFrom: string;
      validUntil?: string;
      removed?: unknown;
    };
    return {
      issuerDid: x.issuerDid,
      operatorMspId: x.operatorMspId,
      operatorName: names.get(x.operatorMspId) ?? null,
      credentialTypes: [...(x.credentialTypes ?? [])].sort(),
      validFrom: x.validFrom,
      validUntil: x.validUntil ?? null,
      removed: Boolean(x.removed),
    };
  });
}

/** The registry screen's data: organisations, trusted issuers, and how fresh both are. */
export async function organisationRegistryView(db: CacheDatabase): Promise<OrganisationRegistryView> {
  const organisations = await listRegisteredOrganisations(db);
  const issuers = await trustedIssuers(db, new Map(organisations.map((o) => [o.mspId, o.name])));
  const fresh = await db.read((r) =>
    r.all<{ mirror: string; as_of: string }>(
      sql`SELECT mirror, as_of FROM mirror_freshness WHERE mirror IN (${ORGANISATION_MIRROR}, ${MIRRORS.trustRegistry})`,
    ),
  );
  // Both must have been read; the older time is what the screen can vouch for.
  const asOf = fresh.length < 2 ? null : (fresh.map((f) => f.as_of).sort()[0] ?? null);
  return { organisations, issuers, asOf };
}
