import { afterEach, describe, expect, it } from 'vitest';
import { scoreMatch, type MatchCandidate } from '../../../src-main/admission/matching';
import { setWorkstationDates } from '../../../src-main/settings/date-time-settings';

const maria: MatchCandidate = { walletDid: null, givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', gender: 'female' };
const messageOf = (birthDate: string, code: string): string | undefined =>
  scoreMatch({ givenName: 'Maria', familyName: 'Oliveira', birthDate }, maria).reasons.find((r) => r.code === code)?.message;

afterEach(() => setWorkstationDates());

describe('match reasons write birth dates in the workstation style', () => {
  it('names the two dates with the month as a word, in the chosen order', () => {
    setWorkstationDates({ locale: 'en-GB', dateOrder: 'dmy', hourCycle: 'h23', timeZone: 'Europe/London' });
    expect(messageOf('1984-02-03', 'birth-date-day-month-swapped')).toBe('Birth date has day and month swapped (3 Feb 1984 / 2 Mar 1984).');
    setWorkstationDates({ locale: 'en-US', dateOrder: 'mdy', hourCycle: 'h12', timeZone: 'America/New_York' });
    expect(messageOf('1984-02-03', 'birth-date-day-month-swapped')).toBe('Birth date has day and month swapped (Feb 3, 1984 / Mar 2, 1984).');
  });

  it('shows a one-digit slip as the digits the clerk types', () => {
    setWorkstationDates({ locale: 'en-GB', dateOrder: 'dmy', hourCycle: 'h23', timeZone: 'Europe/London' });
    expect(messageOf('1984-03-12', 'birth-date-one-digit')).toBe('Birth date differs in one digit (12/03/1984 / 02/03/1984): a typing mistake?');
  });
});
