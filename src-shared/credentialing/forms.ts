/**
 * The privilege grant form's schema (react-hook-form + zodResolver in the renderer). Dates are
 * typed in the workstation's style, so the schema takes the style's parser (src-shared/datetime)
 * and turns the four text fields into the ISO instants of a GrantRequest.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';
import type { Parsed } from '../datetime';
import { DISASTER_MAX_HOURS } from './schemas';

export type ParseDateTime = (dateText: string, timeText: string) => Parsed<string>;

export interface GrantFormValues {
  scope: string[];
  fromDate: string;
  fromTime: string;
  untilDate: string;
  untilTime: string;
  kind: 'standard' | 'disaster';
}

export interface GrantFormOutput {
  scope: string[];
  from: string;
  until: string;
  kind: 'standard' | 'disaster';
}

export function grantFormSchema(parseDateTime: ParseDateTime): z.ZodType<GrantFormOutput, GrantFormValues> {
  return z
    .object({
      scope: z.array(z.string()).min(1, 'Choose at least one privilege.'),
      fromDate: z.string(),
      fromTime: z.string(),
      untilDate: z.string(),
      untilTime: z.string(),
      kind: z.enum(['standard', 'disaster']),
    })
    .transform((v, ctx) => {
      const from = parseDateTime(v.fromDate, v.fromTime);
      if (!from.ok) ctx.addIssue({ code: 'custom', path: ['fromDate'], message: from.message });
      const until = parseDateTime(v.untilDate, v.untilTime);
      if (!until.ok) ctx.addIssue({ code: 'custom', path: ['untilDate'], message: until.message });
      if (!from.ok || !until.ok) return z.NEVER;
      if (until.value <= from.value) {
        ctx.addIssue({ code: 'custom', path: ['untilDate'], message: 'The end of the privileges must be after their start.' });
        return z.NEVER;
      }
      if (v.kind === 'disaster' && Date.parse(until.value) - Date.parse(from.value) > DISASTER_MAX_HOURS * 3_600_000) {
        ctx.addIssue({ code: 'custom', path: ['untilDate'], message: `Disaster privileges last at most ${DISASTER_MAX_HOURS} hours.` });
        return z.NEVER;
      }
      return { scope: v.scope, from: from.value, until: until.value, kind: v.kind };
    });
}
