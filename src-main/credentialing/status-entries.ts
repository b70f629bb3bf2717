/**
 * The status-list entries of a verified credential, kept with the privileges it supports, so a
 * status list published later (the board suspends or revokes the licence) is matched to the
 * doctors it concerns. Read from a credential JWT the pipeline already verified.
 */
import { listIdFromUrn } from '../../src-shared/identity/status-list';

export interface StatusEntryRef {
  listId: string;
  index: number;
  purpose: 'revocation' | 'suspension';
  /** The credential type, e.g. MedicalLicenseCredential. */
  type: string;
}

export function statusEntriesOfCredentialJwt(jwt: string): StatusEntryRef[] {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { vc?: { type?: unknown; credentialStatus?: unknown } };
    const types = Array.isArray(payload.vc?.type) ? payload.vc.type.filter((t): t is string => typeof t === 'string' && t !== 'VerifiableCredential') : [];
    const raw = payload.vc?.credentialStatus;
    const list = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
    const out: StatusEntryRef[] = [];
    for (const e of list) {
      if (typeof e !== 'object' || e === null) continue;
      const entry = e as Record<string, unknown>;
      const listId = typeof entry['statusListCredential'] === 'string' ? listIdFromUrn(entry['statusListCredential']) : undefined;
      const index = Number(entry['statusListIndex']);
      const purpose = entry['statusPurpose'];
      if (listId === undefined || !Number.isSafeInteger(index) || index < 0 || (purpose !== 'revocation' && purpose !== 'suspension')) continue;
      out.push({ listId, index, purpose, type: types[0] ?? 'credential' });
    }
    return out;
  } catch {
    return [];
  }
}
