/**
 * The admission desk's channels mapped onto the desk service. The dispatcher has already
 * checked the sender, the request schema and the role; handlers only translate, passing the
 * signed-in staff member so every change is attributed.
 */
import type { ChannelName } from '../../src-shared/ipc/contract';
import { DomainError } from '../errors';
import type { CallContext, Handlers } from '../ipc/dispatcher';
import type { AdmissionDesk } from './desk';

export type AdmissionChannel = Extract<ChannelName, `admission.${string}` | `patients.${string}`>;

function staffOf(ctx: CallContext): { id: string; displayName: string } {
  // Every admission channel is role-restricted, so the dispatcher always sets `staff`.
  if (!ctx.staff) throw new DomainError('NOT_SIGNED_IN', 'Sign in first.');
  return { id: ctx.staff.id, displayName: ctx.staff.displayName };
}

/**
 * @param desk the desk service, or undefined while the cache is not open (every call then
 *   answers CACHE_LOCKED with a sentence, instead of failing inside).
 */
export function createAdmissionHandlers(desk: () => AdmissionDesk | undefined): Pick<Handlers, AdmissionChannel> {
  const need = (): AdmissionDesk => {
    const d = desk();
    if (!d) throw new DomainError('CACHE_LOCKED', 'The admission desk is not ready: unlock the workstation cache first.');
    return d;
  };
  return {
    'admission.deskOptions': () => need().deskOptions(),
    'admission.scan': (r, ctx) => need().scan(staffOf(ctx), r.text, r.source),
    'admission.clearScan': (_r, ctx) => Promise.resolve(need().clearScan(staffOf(ctx))),
    'admission.override': (r, ctx) => need().override(staffOf(ctx), r),
    'admission.admit': (r, ctx) => need().admit(staffOf(ctx), r),
    'admission.transfer': (r, ctx) => need().transfer(staffOf(ctx), r),
    'admission.discharge': (r, ctx) => need().discharge(staffOf(ctx), r),
    'admission.get': (r) => need().getAdmission(r.admissionId),
    'admission.list': (r) => need().listAdmissions(r),
    'admission.wristband': (r, ctx) => need().wristband(staffOf(ctx), r),
    'patients.search': (r) => need().searchPatients(r),
    'patients.registerManual': (r, ctx) => need().registerManual(staffOf(ctx), r),
    'patients.registerUnidentified': (r, ctx) => need().registerUnidentified(staffOf(ctx), r),
    'patients.merge': (r, ctx) => need().merge(staffOf(ctx), r),
    'patients.reconcile': (r, ctx) => need().reconcile(staffOf(ctx), r),
  };
}
