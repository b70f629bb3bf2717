/**
 * The organisation registry mirror (migration 0007): Governance events become one row per MSP
 * with its kind, the workstation reads its own kind from it, and the governance screen's view
 * joins issuers to their operator's name. Also the role table and the navigation that use it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import type { LedgerEvent } from '../../../src-main/ledger/inbox';
import { organisationRegistryApplier, organisationRegistryView, registeredKind } from '../../../src-main/organisations/registry-mirror';
import { ROLES_BY_KIND, kindsWithRole, roleBelongsTo } from '../../../src-shared/organisations/roles';
import { STAFF_ROLES } from '../../../src-shared/ipc/contract';
import { homeScreenFor, screensFor } from '../../../src-renderer/features/shell/navigation';

let dir: string;
let db: CacheDatabase;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-registry-'));
  const key = randomBytes(32);
  db = await CacheDatabase.open(path.join(dir, 'cache.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  await migrate(db);
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function event(name: string, organisation: Record<string, unknown>, blockNumber: number): LedgerEvent {
  return { name, payload: { organisation }, blockNumber, txId: `tx${blockNumber}` };
}

async function apply(e: LedgerEvent): Promise<void> {
  await db.write((w) => organisationRegistryApplier.apply(w, e, { mspId: 'HospitalAMSP', now: '2026-12-07T00:00:00.000Z' }));
}

describe('organisation registry mirror', () => {
  it('keeps one row per MSP from registration and update events; the newest kind wins', async () => {
    await apply(event('Governance.Initialised', { mspId: 'GovernanceMSP', kind: 'governance', did: 'did:web:gov.example', name: 'Governance', registeredAt: '2026-01-01T00:00:00.000Z' }, 1));
    await apply(event('Governance.OrganisationRegistered', { mspId: 'InsurerMSP', kind: 'insurer', did: 'did:web:ins.example', name: 'Insurer' }, 2));
    expect(await registeredKind(db, 'InsurerMSP')).toBe('insurer');
    expect(await registeredKind(db, 'HospitalAMSP')).toBeNull();
    await apply(event('Governance.OrganisationUpdated', { mspId: 'InsurerMSP', kind: 'insurer', did: 'did:web:ins2.example', name: 'Insurer plc' }, 3));
    // A replay of the same event (the inbox may deliver it again) changes nothing.
    await apply(event('Governance.OrganisationUpdated', { mspId: 'InsurerMSP', kind: 'insurer', did: 'did:web:ins2.example', name: 'Insurer plc' }, 3));
    const view = await organisationRegistryView(db);
    expect(view.organisations.map((o) => [o.mspId, o.kind, o.name, o.did])).toEqual([
      ['GovernanceMSP', 'governance', 'Governance', 'did:web:gov.example'],
      ['InsurerMSP', 'insurer', 'Insurer plc', 'did:web:ins2.example'],
    ]);
    // Never read from the ledger (no freshness for both mirrors): the screen says so.
    expect(view.asOf).toBeNull();
  });

  it('refuses an event without an organisation or with a kind nobody knows (the inbox logs and skips it)', async () => {
    await expect(apply({ name: 'Governance.OrganisationRegistered', payload: {}, blockNumber: 4, txId: 'tx4' })).rejects.toThrow(/no "organisation"/);
    await expect(apply(event('Governance.OrganisationRegistered', { mspId: 'X', kind: 'pharmacy', did: 'did:web:x', name: 'X' }, 5))).rejects.toThrow(/unknown kind/);
    expect((await organisationRegistryView(db)).organisations).toEqual([]);
  });

  it("names each trusted issuer's operator from the registry, and dates the view by the older mirror", async () => {
    await apply(event('Governance.OrganisationRegistered', { mspId: 'MedicalBoardMSP', kind: 'medical-board', did: 'did:web:board.example', name: 'Medical Board' }, 2));
    const issuer = { issuerDid: 'did:web:board.example', operatorMspId: 'MedicalBoardMSP', credentialTypes: ['SpecialtyCredential', 'MedicalLicenseCredential'], validFrom: '2020-01-01T00:00:00.000Z' };
    const stranger = { issuerDid: 'did:web:other.example', operatorMspId: 'OtherMSP', credentialTypes: ['X'], validFrom: '2020-01-01T00:00:00.000Z', removed: true };
    await db.write(async (w) => {
      await w.run(sql`INSERT INTO mirror_trusted_issuer (issuer_did, record, block_number) VALUES (${issuer.issuerDid}, ${JSON.stringify(issuer)}, 3)`);
      await w.run(sql`INSERT INTO mirror_trusted_issuer (issuer_did, record, block_number) VALUES (${stranger.issuerDid}, ${JSON.stringify(stranger)}, 4)`);
      await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES ('organisations', 2, '2026-12-07T10:00:00.000Z')`);
      await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES ('trust-registry', 4, '2026-12-07T09:00:00.000Z')`);
    });
    const view = await organisationRegistryView(db);
    expect(view.issuers).toEqual([
      { issuerDid: 'did:web:board.example', operatorMspId: 'MedicalBoardMSP', operatorName: 'Medical Board', credentialTypes: ['MedicalLicenseCredential', 'SpecialtyCredential'], validFrom: '2020-01-01T00:00:00.000Z', validUntil: null, removed: false },
      { issuerDid: 'did:web:other.example', operatorMspId: 'OtherMSP', operatorName: null, credentialTypes: ['X'], validFrom: '2020-01-01T00:00:00.000Z', validUntil: null, removed: true },
    ]);
    expect(view.asOf).toBe('2026-12-07T09:00:00.000Z');
  });
});

describe('migration 0007 on a cache that synced before it', () => {
  it('forgets the Governance events it saw and the checkpoint, so the inbox reads them again; other events stay applied', async () => {
    const dir2 = mkdtempSync(path.join(tmpdir(), 'careledger-registry-old-'));
    const key = randomBytes(32);
    const old = await CacheDatabase.open(path.join(dir2, 'cache.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
    try {
      await migrate(old, 6);
      await old.write(async (w) => {
        await w.run(sql`INSERT INTO inbox_event (tx_id, block_number, event_name, applied_at) VALUES ('t1', 1, 'Governance.Initialised', 'x'), ('t2', 2, 'TrustRegistry.IssuerAdded', 'x'), ('t3', 3, 'Governance.OrganisationRegistered', 'x')`);
        await w.run(sql`INSERT INTO inbox_checkpoint (stream, block_number, tx_id, updated_at) VALUES ('careledger', 3, 't3', 'x')`);
      });
      await migrate(old, 7);
      const seen = await old.read((r) => r.all<{ tx_id: string }>(sql`SELECT tx_id FROM inbox_event ORDER BY tx_id`));
      expect(seen.map((s) => s.tx_id)).toEqual(['t2']);
      expect(await old.read((r) => r.all(sql`SELECT * FROM inbox_checkpoint`))).toEqual([]);
    } finally {
      await old.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});

describe('roles by organisation kind', () => {
  it('gives every staff role a kind, and only claims to two kinds', () => {
    for (const role of STAFF_ROLES) expect(kindsWithRole(role).length).toBeGreaterThan(0);
    expect(kindsWithRole('claims')).toEqual(['hospital', 'insurer']);
    expect(kindsWithRole('adjudicator')).toEqual(['insurer']);
    expect(roleBelongsTo('admissions', 'insurer')).toBe(false);
    expect(ROLES_BY_KIND.governance).toEqual(['governance-admin']);
  });

  it('shows each kind only its own screens, whatever the role word', () => {
    const labels = (organisationKind: Parameters<typeof screensFor>[0]['organisationKind'], role: Parameters<typeof screensFor>[0]['role']): string[] =>
      screensFor({ organisationKind, role }).map((s) => s.label);
    expect(labels('hospital', 'claims')).toEqual(['Claims', 'Sync', 'Workstation settings']);
    expect(labels('insurer', 'claims')).toEqual(['Claims', 'Sync', 'Workstation settings']);
    expect(labels('insurer', 'adjudicator')).toEqual(['Claims', 'Sync', 'Workstation settings']);
    expect(labels('governance', 'governance-admin')).toEqual(['Governance', 'Sync', 'Workstation settings']);
    // A hospital role word at an insurer (only possible if the registry changed) opens no desk.
    expect(labels('insurer', 'admissions')).toEqual(['Sync', 'Workstation settings']);
    expect(labels('hospital', 'governance-admin')).toEqual(['Sync', 'Workstation settings']);
    expect(homeScreenFor({ organisationKind: 'medical-board', role: 'board-officer' })).toBe('sync');
  });
});
