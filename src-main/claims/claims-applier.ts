/**
 * The claims timeline from the ledger's `Claims.*` events. Each event carries the claim's public
 * record (ids, status, amounts, reason codes, hashes); this applier keeps the `claim` row in step
 * with it and adds one timeline entry per transaction (`tx_id` unique: a replayed event is a no-op).
 *
 * What the event only names is read on this organisation's own peer (`resolve`): the insurer reads
 * the FHIR Claim from the pair's collection when a claim is submitted or resubmitted to it; the
 * hospital reads the insurer's ClaimResponse when a claim is adjudicated. A refused read leaves the
 * timeline entry without the detail (the claim screen asks again when it opens); an unreachable
 * gateway fails the batch, which the inbox reads again.
 */
import type { Claim, ClaimResponse } from 'fhir/r4';
import { formatCents } from '../../src-shared/claims/rules';
import { DEMO_CODE_SETS, describeCode } from '../../src-shared/claims/codes';
import type { TimelineEntry } from '../../src-shared/claims/schemas';
import type { WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import type { EventApplier, LedgerEvent } from '../ledger/inbox';
import { classifyGatewayError } from '../ledger/gateway-errors';
import { storeFetchedClaim } from './claims-service';

export const CLAIMS_TIMELINE_MIRROR = 'claims-timeline';

interface PublicClaim {
  claimId: string;
  hospitalMspId: string;
  insurerMspId: string;
  status: string;
  outcome?: string;
  currency: string;
  totalAmount: number;
  approvedAmount?: number;
  paidAmount?: number;
  paymentRef?: string;
  reasonCodes: string[];
  submissionCount: number;
  detailPurgedAt?: string;
  version: number;
  updatedAt: string;
}

type Resolved = { claim?: Claim; response?: ClaimResponse; unread?: string };

function recordOf(event: LedgerEvent): PublicClaim {
  const payload = event.payload as { claim?: unknown } | null;
  const c = payload && typeof payload === 'object' ? payload.claim : undefined;
  if (!c || typeof c !== 'object') throw new Error(`event ${event.name} has no claim record`);
  const r = c as PublicClaim;
  if (typeof r.claimId !== 'string' || typeof r.status !== 'string' || typeof r.version !== 'number') throw new Error(`event ${event.name}: malformed claim record`);
  return r;
}

function reasons(codes: readonly string[]): Array<{ code: string; description: string }> {
  return codes.map((code) => {
    const bare = code.replace(/^(CO|PR|OA|PI|CR)-/, '');
    return { code, description: describeCode(DEMO_CODE_SETS, 'carc', bare) ?? describeCode(DEMO_CODE_SETS, 'rarc', bare) ?? 'Code not in the bundled list.' };
  });
}

function sentence(c: PublicClaim, event: string): { kind: TimelineEntry['kind']; text: string } {
  const money = (cents: number | undefined): string => `${formatCents(cents ?? 0)} ${c.currency}`;
  switch (event) {
    case 'Claims.Submitted':
      return { kind: 'submitted', text: `Submitted to ${c.insurerMspId} on the ledger: ${money(c.totalAmount)}.` };
    case 'Claims.Resubmitted':
      return { kind: 'resubmitted', text: `Corrected claim (submission ${c.submissionCount}) on the ledger: ${money(c.totalAmount)}.` };
    case 'Claims.Pended':
      return { kind: 'pended', text: 'Pended by the insurer: more information is needed (see the reasons).' };
    case 'Claims.Adjudicated':
      return {
        kind: 'adjudicated',
        text:
          c.outcome === 'approved'
            ? `Adjudicated: approved in full, ${money(c.approvedAmount)}.`
            : c.outcome === 'denied'
              ? 'Adjudicated: denied.'
              : `Adjudicated: partly approved, ${money(c.approvedAmount)} of ${money(c.totalAmount)}.`,
      };
    case 'Claims.Paid':
      return { kind: 'paid', text: `Paid ${money(c.paidAmount)}, payment reference ${c.paymentRef ?? '-'}.` };
    case 'Claims.Withdrawn':
      return { kind: 'withdrawn', text: 'Withdrawn by the hospital.' };
    case 'Claims.DetailPurged':
      return { kind: 'purged', text: `Claim detail purged from the ledger's private collection; the public record and its hashes remain.` };
    default:
      return { kind: 'submitted', text: event };
  }
}

async function read(ledger: { evaluate(transaction: string, ...args: string[]): Promise<unknown> }, transaction: string, claimId: string): Promise<{ value?: unknown; unread?: string }> {
  try {
    return { value: await ledger.evaluate(transaction, claimId) };
  } catch (err) {
    const failure = classifyGatewayError(err, 'endorse');
    if (failure.kind === 'unreachable') throw err;
    return { unread: failure.message };
  }
}

export const claimsTimelineApplier: EventApplier = {
  mirror: CLAIMS_TIMELINE_MIRROR,
  events: ['Claims.Submitted', 'Claims.Resubmitted', 'Claims.Pended', 'Claims.Adjudicated', 'Claims.Paid', 'Claims.Withdrawn', 'Claims.DetailPurged'],
  async resolve(event, context, ledger): Promise<Resolved | undefined> {
    const c = recordOf(event);
    if (c.hospitalMspId !== context.mspId && c.insurerMspId !== context.mspId) return undefined;
    const insurer = c.insurerMspId === context.mspId;
    // The insurer reads every version it receives; a hospital reads a first submission too, for
    // claims another of its workstations (or the demo seed) sent: the list then names the patient.
    if ((insurer && event.name === 'Claims.Resubmitted') || event.name === 'Claims.Submitted') {
      const r = await read(ledger, 'Claims:getClaimDetail', c.claimId);
      return r.unread !== undefined ? { unread: r.unread } : { claim: (r.value as { claim: Claim }).claim };
    }
    if (!insurer && event.name === 'Claims.Adjudicated') {
      const r = await read(ledger, 'Claims:getClaimResponse', c.claimId);
      return r.unread !== undefined ? { unread: r.unread } : { response: (r.value as { claimResponse: ClaimResponse }).claimResponse };
    }
    return {};
  },
  async apply(w: WriteHandle, event, context) {
    const c = recordOf(event);
    if (c.hospitalMspId !== context.mspId && c.insurerMspId !== context.mspId) return;
    const side = c.insurerMspId === context.mspId ? 'insurer' : 'hospital';
    const resolved = (event.detail ?? {}) as Resolved;
    const existing = await w.get<{ ledger_version: number }>(sql`SELECT ledger_version FROM claim WHERE claim_id = ${c.claimId}`);
    if (!existing) {
      // A claim this workstation did not make: the insurer's queue, or another hospital workstation's claim.
      await w.run(sql`
        INSERT INTO claim (claim_id, side, patient_name, insurer_msp, insurer_name, hospital_msp, claim_type, status, total_cents, currency, service_from, created_by, created_at, updated_at)
        VALUES (${c.claimId}, ${side}, ${`Claim ${c.claimId}`}, ${c.insurerMspId}, coalesce((SELECT name FROM mirror_organisation WHERE msp_id = ${c.insurerMspId}), ${c.insurerMspId}), ${c.hospitalMspId}, 'institutional', ${c.status}, ${c.totalAmount}, ${c.currency}, '', 'ledger', ${context.now}, ${context.now})`);
    }
    // An older event (replay, out-of-order batch) never overwrites a newer status.
    await w.run(sql`
      UPDATE claim SET status = ${c.status}, outcome = ${c.outcome ?? null}, ledger_version = ${c.version}, submission_count = ${c.submissionCount}, total_cents = ${c.totalAmount},
        approved_cents = ${c.approvedAmount ?? null}, paid_cents = ${c.paidAmount ?? null}, payment_ref = ${c.paymentRef ?? null}, currency = ${c.currency},
        reason_codes = ${JSON.stringify(c.reasonCodes)}, purged_at = ${c.detailPurgedAt ?? null}, record = ${JSON.stringify(c)}, updated_at = ${c.updatedAt}
      WHERE claim_id = ${c.claimId} AND ledger_version <= ${c.version}`);
    if (resolved.claim) await storeFetchedClaim(w, c.claimId, c.submissionCount, resolved.claim, context.now);
    if (resolved.response) {
      await w.run(sql`INSERT INTO claim_response (claim_id, submission, response, received_at) VALUES (${c.claimId}, ${c.submissionCount}, ${JSON.stringify(resolved.response)}, ${context.now})
                      ON CONFLICT (claim_id, submission) DO UPDATE SET response = excluded.response, received_at = excluded.received_at`);
    }
    const { kind, text } = sentence(c, event.name);
    const note = resolved.unread ? ` (The detail could not be read yet: ${resolved.unread})` : '';
    await w.run(sql`INSERT OR IGNORE INTO claim_timeline (claim_id, at, kind, text, reason_codes, version, by_staff, tx_id)
                    VALUES (${c.claimId}, ${c.updatedAt}, ${kind}, ${text + note}, ${JSON.stringify(reasons(c.reasonCodes))}, ${c.submissionCount}, NULL, ${event.txId})`);
  },
};
