/**
 * Alerts for doctors with active privileges, fed by ledger events in the inbox's transaction:
 * a sanction (by DID, licence number or NPI; single or imported in a batch), or a status list
 * published with the bit of one of the credentials behind the privileges set (the board
 * revoked or suspended the licence or certification).
 *
 * Each alert is raised once per privilege and cause. The hospital's policy decides what
 * happens next: by default the officer is alerted and asked; with `autoSuspend` the privileges
 * are suspended at once, locally and on the ledger (the suspension is queued under the identity
 * that granted them, and goes out when that officer is signed in).
 */
import { decodeStatusList, getStatusBit } from '../../src-shared/identity/status-list';
import { describeScope } from '../../src-shared/credentialing/privileges';
import { CredentialingSettings } from '../../src-shared/credentialing/schemas';
import type { WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import type { EventApplier, LedgerEvent } from '../ledger/inbox';
import { queueLedgerWrite } from '../ledger/outbox';
import { workstationDates } from '../settings/date-time-settings';
import type { StatusEntryRef } from './status-entries';

export const CREDENTIALING_ALERTS_MIRROR = 'credentialing-alerts';

interface ActivePrivilege {
  privilege_id: string;
  verification_id: string;
  scope: string;
  doctor_did: string;
  doctor_name: string;
  license_number: string;
  npi: string | null;
  status_entries: string;
  last_seq: number | null;
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function objects(event: LedgerEvent, field: string, listField?: string): Record<string, unknown>[] {
  const payload = typeof event.payload === 'object' && event.payload !== null ? (event.payload as Record<string, unknown>) : {};
  if (listField !== undefined) {
    const list = payload[listField];
    return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
  }
  const one = payload[field];
  return typeof one === 'object' && one !== null ? [one as Record<string, unknown>] : [];
}

async function policy(w: WriteHandle): Promise<boolean> {
  const row = await w.get<{ value: string }>(sql`SELECT value FROM credentialing_setting WHERE key = 'policy'`);
  if (!row) return false;
  const parsed = CredentialingSettings.safeParse(JSON.parse(row.value));
  return parsed.success && parsed.data.autoSuspend;
}

async function raise(w: WriteHandle, p: ActivePrivilege, kind: 'sanction' | 'revocation' | 'suspension', cause: string, found: string, at: string): Promise<void> {
  const auto = await policy(w);
  const message = `${found} Affected privileges: ${describeScope(JSON.parse(p.scope) as string[])}.`;
  const { changes } = await w.run(sql`INSERT OR IGNORE INTO locum_alert (at, privilege_id, kind, cause, message, state) VALUES (${at}, ${p.privilege_id}, ${kind}, ${cause}, ${message}, ${auto ? 'privileges-suspended' : 'open'})`);
  if (changes === 0 || !auto) return;
  // Hospital policy: suspend at once, under the identity that granted them.
  const author = await w.get<{ identity_id: string; msp_id: string; certificate_pem: string }>(
    sql`SELECT i.identity_id, i.msp_id, i.certificate_pem FROM outbox o JOIN outbox_identity i ON i.identity_id = o.identity_id WHERE o.seq = ${p.last_seq}`,
  );
  const reason = kind === 'sanction' ? 'sanction' : kind === 'revocation' ? 'licence-revoked' : 'licence-suspended';
  let seq: number | null = p.last_seq;
  if (author) {
    seq = await queueLedgerWrite(
      w,
      { identityId: author.identity_id, mspId: author.msp_id, certificatePem: author.certificate_pem },
      { operation: 'credentialing.suspend', orderKey: `locum:${p.verification_id}`, transaction: 'Credentialing:suspendPrivileges', args: [p.privilege_id, reason], retryOnConflict: false },
      new Date(at),
    );
  }
  await w.run(sql`UPDATE locum_privilege SET status = 'suspended', suspension_reason = ${reason}, last_seq = ${seq}, updated_at = ${at} WHERE privilege_id = ${p.privilege_id}`);
}

async function activePrivileges(w: WriteHandle, at: string): Promise<ActivePrivilege[]> {
  return w.all<ActivePrivilege>(
    sql`SELECT privilege_id, verification_id, scope, doctor_did, doctor_name, license_number, npi, status_entries, last_seq FROM locum_privilege WHERE status = 'active' AND until_at > ${at}`,
  );
}

export const credentialingAlertsApplier: EventApplier = {
  mirror: CREDENTIALING_ALERTS_MIRROR,
  events: ['Sanctions.Added', 'Sanctions.Imported', 'Status.ListPublished'],
  async apply(w, event, context) {
    const at = context.now;
    if (event.name === 'Status.ListPublished') {
      const list = objects(event, 'statusList')[0];
      const listId = typeof list?.['listId'] === 'string' ? list['listId'] : null;
      const encoded = typeof list?.['encodedList'] === 'string' ? list['encodedList'] : null;
      if (listId === null || encoded === null) return;
      let bits: Uint8Array | null = null;
      for (const p of await activePrivileges(w, at)) {
        const entries = (JSON.parse(p.status_entries) as StatusEntryRef[]).filter((e) => e.listId === listId);
        if (entries.length === 0) continue;
        bits ??= decodeStatusList(encoded);
        for (const e of entries) {
          if (!getStatusBit(bits, e.index)) continue;
          const what = e.type === 'MedicalLicenseCredential' ? 'medical licence' : e.type === 'BoardCertificationCredential' ? 'board certification' : 'specialty certificate';
          const word = e.purpose === 'revocation' ? 'revoked' : 'suspended';
          await raise(w, p, e.purpose, `status:${listId}:${e.index}`, `The issuer has ${word} ${p.doctor_name}'s ${what} (status list ${listId}). Their privileges here rest on it.`, at);
        }
      }
      return;
    }
    const sanctions = event.name === 'Sanctions.Imported' ? objects(event, '', 'sanctions') : objects(event, 'sanction');
    if (sanctions.length === 0) return;
    const privileges = await activePrivileges(w, at);
    if (privileges.length === 0) return;
    for (const s of sanctions) {
      if (s['lifted'] !== undefined) continue;
      const until = typeof s['until'] === 'string' ? s['until'] : null;
      if (until !== null && until <= at) continue;
      for (const p of privileges) {
        const by = s['subjectDid'] === p.doctor_did ? 'DID' : s['licenseNumber'] === p.license_number ? `licence ${p.license_number}` : p.npi !== null && s['npi'] === p.npi ? `NPI ${p.npi}` : null;
        if (by === null) continue;
        const id = textOf(s['sanctionId']);
        const from = typeof s['from'] === 'string' ? workstationDates().date(s['from']) : 'now';
        await raise(w, p, 'sanction', `sanction:${id}`, `${p.doctor_name} is on the sanctions list (${id}${typeof s['source'] === 'string' ? `, ${s['source']}` : ''}: ${textOf(s['reason'])}, from ${from}), matched by ${by}.`, at);
      }
    }
  },
};
