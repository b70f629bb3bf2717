/**
 * The claims channels mapped onto the claims service. The dispatcher has already checked the
 * sender, the request schema, the role and the organisation kind; the service checks again that
 * the claim belongs to the caller's organisation (a hospital its own, an insurer those addressed to it).
 */
import type { ChannelName, StaffIdentitySummary } from '../../src-shared/ipc/contract';
import { DomainError } from '../errors';
import type { CallContext, Handlers } from '../ipc/dispatcher';
import type { ClaimsService, ClaimsStaff } from './claims-service';

export type ClaimsChannel = Extract<ChannelName, `claims.${string}`>;

/** The staff member with their organisation's kind (a session made before kinds existed is a hospital's). */
export function claimsStaffOf(staff: StaffIdentitySummary | null): ClaimsStaff {
  if (!staff) throw new DomainError('NOT_SIGNED_IN', 'Sign in first.');
  const kind = 'organisationKind' in staff && typeof staff.organisationKind === 'string' ? staff.organisationKind : 'hospital';
  return { id: staff.id, displayName: staff.displayName, mspId: staff.mspId, role: staff.role, kind };
}

export function createClaimsHandlers(service: () => ClaimsService | undefined): Pick<Handlers, ClaimsChannel> {
  const need = (): ClaimsService => {
    const s = service();
    if (!s) throw new DomainError('CACHE_LOCKED', 'Claims are not ready: unlock the workstation cache first.');
    return s;
  };
  const who = (ctx: CallContext): ClaimsStaff => claimsStaffOf(ctx.staff);
  return {
    'claims.workList': async (r, ctx) => {
      const staff = who(ctx);
      // The insurer's auto-rule runs under the signed-in adjudicator when the queue is opened.
      await need().runAutoRule(staff);
      return need().workList(staff, { ...(r.status ? { status: r.status } : {}), ...(r.search ? { search: r.search } : {}), limit: r.limit });
    },
    'claims.newFromAdmission': (r) => need().newClaim(r.admissionId),
    'claims.context': (r) => need().context(r.admissionId),
    'claims.check': (r) => need().check(r.form),
    'claims.saveDraft': (r, ctx) => need().saveDraft(who(ctx), r),
    'claims.submit': (r, ctx) => need().submit(who(ctx), r.claimId),
    'claims.withdraw': (r, ctx) => need().withdraw(who(ctx), r),
    'claims.get': (r, ctx) => need().get(who(ctx), r.claimId),
    'claims.export': (r, ctx) => need().export(who(ctx), r),
    'claims.purge': (r, ctx) => need().purge(who(ctx), r.claimId),
    'claims.pend': (r, ctx) => need().pend(who(ctx), r),
    'claims.adjudicate': (r, ctx) => need().adjudicate(who(ctx), r),
    'claims.pay': (r, ctx) => need().pay(who(ctx), r),
    'claims.autoRule': async (r, ctx) => {
      const staff = who(ctx);
      const rule = r.maxTotalCents === undefined ? await need().autoRule() : await need().setAutoRule(staff, r.maxTotalCents);
      const approved = r.maxTotalCents === undefined ? [] : await need().runAutoRule(staff);
      return { ...rule, approved };
    },
  };
}
