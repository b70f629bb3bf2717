/**
 * The credentialing channels mapped onto the service. The dispatcher has already checked the
 * sender, the request schema and the role (credentialing staff of a hospital); handlers pass
 * the signed-in officer so every change is attributed.
 */
import type { ChannelName } from '../../src-shared/ipc/contract';
import { DomainError } from '../errors';
import type { CallContext, Handlers } from '../ipc/dispatcher';
import type { CredentialingService, LocumStaff } from './locum-service';

export type CredentialingChannel = Extract<ChannelName, `credentialing.${string}` | `sanctions.${string}`>;

function staffOf(ctx: CallContext): LocumStaff {
  if (!ctx.staff) throw new DomainError('NOT_SIGNED_IN', 'Sign in first.');
  return { id: ctx.staff.id, displayName: ctx.staff.displayName, mspId: ctx.staff.mspId };
}

export function createCredentialingHandlers(service: () => CredentialingService | undefined): Pick<Handlers, CredentialingChannel> {
  const need = (): CredentialingService => {
    const s = service();
    if (!s) throw new DomainError('CACHE_LOCKED', 'Credentialing is not ready: unlock the workstation cache first.');
    return s;
  };
  return {
    'credentialing.options': (_r, ctx) => need().options(staffOf(ctx)),
    'credentialing.saveSettings': (r, ctx) => need().saveSettings(staffOf(ctx), r),
    'credentialing.declareDisaster': (r, ctx) => need().declareDisaster(staffOf(ctx), r.note),
    'credentialing.endDisaster': (_r, ctx) => need().endDisaster(staffOf(ctx)),
    'credentialing.scan': (r, ctx) => need().scan(staffOf(ctx), r.text, r.source),
    'credentialing.openPresentation': (r, ctx) => need().openPresentation(staffOf(ctx), r.fileText),
    'credentialing.clearScan': (_r, ctx) => Promise.resolve(need().clearScan(staffOf(ctx))),
    'credentialing.verification': (r) => need().verification(r.verificationId),
    'credentialing.recordRefusal': (r, ctx) => need().recordRefusal(staffOf(ctx), r.verificationId),
    'credentialing.grant': (r, ctx) => need().grant(staffOf(ctx), r),
    'credentialing.privileges': (r) => need().privileges(r),
    'credentialing.suspend': (r, ctx) => need().suspend(staffOf(ctx), r.privilegeId, r.reason),
    'credentialing.reinstate': (r, ctx) => need().reinstate(staffOf(ctx), r.privilegeId),
    'credentialing.expire': (r, ctx) => need().expire(staffOf(ctx), r.privilegeId),
    'credentialing.alerts': (r) => need().alerts(r),
    'credentialing.resolveAlert': (r, ctx) => need().resolveAlert(staffOf(ctx), r.alertId, r.action),
    'credentialing.report': (r, ctx) => need().report(staffOf(ctx), r.verificationId),
    'sanctions.list': (r) => need().sanctions(r.limit),
    'sanctions.import': (r) => need().importExclusionList(r.csvText, r.source),
    'sanctions.add': (r) => need().addSanction(r),
    'sanctions.lift': (r) => need().liftSanction(r.sanctionId, r.reason),
  };
}
