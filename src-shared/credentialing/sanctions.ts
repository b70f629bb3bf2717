/**
 * The governance body's sanctions screen: IPC shapes (src-main/credentialing/sanctions-admin.ts).
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';

export const SanctionsView = z.object({
  /** When this workstation last confirmed its copy with the ledger; null before the first sync. */
  asOf: z.string().nullable(),
  total: z.number().int().nonnegative(),
  /** Sanctions writes still waiting to reach the ledger. */
  pendingWrites: z.number().int().nonnegative(),
  entries: z.array(
    z.object({
      sanctionId: z.string(),
      subjectDid: z.string().nullable(),
      licenseNumber: z.string().nullable(),
      npi: z.string().nullable(),
      reason: z.string(),
      source: z.string().nullable(),
      from: z.string(),
      until: z.string().nullable(),
      liftedAt: z.string().nullable(),
    }),
  ),
});
export type SanctionsView = z.infer<typeof SanctionsView>;

export const SanctionsImportRequest = z
  .object({
    csvText: z.string().min(1, 'The file is empty.').max(900_000, 'This part of the file is too large: send at most 900 KB at a time (the screen splits files by rows).'),
    source: z.string().trim().min(1, 'Say which list this is, e.g. OIG LEIE 2026-12.').max(120),
  })
  .strict();

export const SanctionsImportResult = z.object({
  rows: z.number().int(),
  queued: z.number().int(),
  transactions: z.number().int(),
  skipped: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  skippedCount: z.number().int(),
});
export type SanctionsImportResult = z.infer<typeof SanctionsImportResult>;

const IsoTime = z.iso.datetime({ offset: true });

export const SingleSanctionRequest = z
  .object({
    npi: z.string().regex(/^\d{10}$/, 'An NPI has 10 digits.').optional(),
    licenseNumber: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9./ -]{0,63}$/, 'Type the licence number as the board writes it.').optional(),
    subjectDid: z.string().regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'A DID starts with did:').optional(),
    reason: z.string().trim().min(1, 'Give the reason.').max(500),
    source: z.string().trim().min(1).max(120).default('manual entry'),
    from: IsoTime,
    until: IsoTime.optional(),
  })
  .strict()
  .refine((r) => r.npi !== undefined || r.licenseNumber !== undefined || r.subjectDid !== undefined, { message: 'Name the practitioner by NPI, licence number or DID.', path: ['npi'] });
export type SingleSanctionRequest = z.output<typeof SingleSanctionRequest>;
