import type { ClaimStatus, ClaimSummary } from '../../../src-shared/claims/schemas';
import { formatCents } from '../../../src-shared/claims/rules';

/** Status words and badge tone, as the clerk reads them. */
export function statusBadge(s: Pick<ClaimSummary, 'status' | 'outcome'>): { text: string; className: string } {
  const map: Record<ClaimStatus, { text: string; className: string }> = {
    draft: { text: 'Draft', className: 'badge' },
    queued: { text: 'Waiting to send', className: 'badge badge-warning' },
    refused: { text: 'Refused by the ledger', className: 'badge badge-danger' },
    submitted: { text: 'Submitted', className: 'badge badge-brand' },
    resubmitted: { text: 'Resubmitted', className: 'badge badge-brand' },
    pended: { text: 'Pended: information asked', className: 'badge badge-warning' },
    adjudicated: { text: 'Adjudicated', className: 'badge badge-brand' },
    paid: { text: 'Paid', className: 'badge badge-success' },
    withdrawn: { text: 'Withdrawn', className: 'badge' },
  };
  if (s.status === 'adjudicated') {
    if (s.outcome === 'approved') return { text: 'Approved', className: 'badge badge-success' };
    if (s.outcome === 'partial') return { text: 'Partly approved', className: 'badge badge-warning' };
    if (s.outcome === 'denied') return { text: 'Denied', className: 'badge badge-danger' };
  }
  return map[s.status];
}

export function money(cents: number | null, currency: string): string {
  return cents === null ? '–' : `${formatCents(cents)} ${currency}`;
}

/** Triggers a download of exported text or base64 bytes. */
export function download(fileName: string, mediaType: string, content: string, encoding: 'base64' | 'utf8'): void {
  const data = encoding === 'base64' ? Uint8Array.from(atob(content), (c) => c.charCodeAt(0)) : new TextEncoder().encode(content);
  const url = URL.createObjectURL(new Blob([data], { type: mediaType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
