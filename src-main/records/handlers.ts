/**
 * The chart's and the privacy office's channels mapped onto their services. The dispatcher has
 * already checked the sender, the request schema and the role (clinician / privacy); handlers
 * pass the signed-in staff member so every view and review is attributed.
 */
import type { ChannelName } from '../../src-shared/ipc/contract';
import { DomainError } from '../errors';
import type { CallContext, Handlers } from '../ipc/dispatcher';
import type { ChartService } from './chart-service';
import type { PrivacyOffice } from './privacy-office';

export type RecordsChannel = Extract<ChannelName, `records.${string}` | `privacy.${string}`>;

export interface RecordsServices {
  chart: ChartService;
  privacy: PrivacyOffice;
}

function staffOf(ctx: CallContext): { id: string; displayName: string } {
  if (!ctx.staff) throw new DomainError('NOT_SIGNED_IN', 'Sign in first.');
  return { id: ctx.staff.id, displayName: ctx.staff.displayName };
}

export function createRecordsHandlers(services: () => RecordsServices | undefined): Pick<Handlers, RecordsChannel> {
  const need = (): RecordsServices => {
    const s = services();
    if (!s) throw new DomainError('CACHE_LOCKED', 'Patient records are not ready: unlock the workstation cache first.');
    return s;
  };
  return {
    'records.wardList': (r) => need().chart.wardList(r.query),
    'records.open': (r, ctx) => need().chart.openChart(staffOf(ctx), r),
    'records.viewCategory': (r, ctx) => need().chart.viewCategory(staffOf(ctx), r),
    'records.document': (r, ctx) => need().chart.document(staffOf(ctx), r),
    'records.breakGlass': (r, ctx) => need().chart.breakTheGlass(staffOf(ctx), r),
    'records.endBreakGlass': async (r, ctx) => {
      await need().chart.endBreakGlass(staffOf(ctx), r.patientId);
      return { ended: true as const };
    },
    'records.stillOpen': (r, ctx) => need().chart.stillOpen(staffOf(ctx), r),
    'privacy.patients': (r) => need().chart.wardList(r.query === '' ? '%' : r.query),
    'privacy.reviewQueue': (_r, ctx) => need().privacy.reviewQueue(staffOf(ctx)),
    'privacy.review': (r, ctx) => need().privacy.review(staffOf(ctx), r),
    'privacy.accessReport': (r, ctx) => need().privacy.accessReport(staffOf(ctx), r),
    'privacy.accessReportPdf': (r, ctx) => need().privacy.accessReportPdf(staffOf(ctx), r),
    'privacy.consents': (r, ctx) => need().privacy.consents(staffOf(ctx), r),
    'privacy.settings': async () => ({ breakGlassMinutes: await need().chart.breakGlassMinutes() }),
    'privacy.setBreakGlassMinutes': async (r) => ({
      breakGlassMinutes: (await need().chart.setBreakGlassMinutes(r.breakGlassMinutes)).breakGlassMinutes,
    }),
  };
}
