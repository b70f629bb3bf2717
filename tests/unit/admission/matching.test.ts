import { describe, expect, it } from 'vitest';
import { birthDateVariants, scoreMatch, type MatchCandidate } from '../../../src-main/admission/matching';
import { editDistance, normaliseName } from '../../../src-main/admission/names';

const maria: MatchCandidate = { walletDid: null, givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-02', gender: 'female' };
const codes = (q: Parameters<typeof scoreMatch>[0], c: MatchCandidate = maria) => scoreMatch(q, c).reasons.map((r) => r.code);

describe('patient matching', () => {
  it('a record with the same wallet DID is this patient, whatever the names say', () => {
    const s = scoreMatch({ walletDid: 'did:key:z1', givenName: 'X', familyName: 'Y', birthDate: '2000-01-01' }, { ...maria, walletDid: 'did:key:z1' });
    expect(s).toMatchObject({ score: 100, strength: 'same-wallet' });
  });

  it('case, accents and hyphens do not matter', () => {
    expect(normaliseName('  OLIVEIRA-santos ')).toBe('oliveira santos');
    expect(normaliseName('José Müller')).toBe('jose muller');
    const s = scoreMatch({ givenName: 'MARIA FERNANDA', familyName: 'Oliveira Santos', birthDate: '1984-03-02' }, maria);
    expect(s.strength).toBe('likely');
    expect(codes({ givenName: 'María Fernanda', familyName: 'oliveira santos', birthDate: '1984-03-02' })).toContain('family-name-same-spelling');
  });

  it('a nickname of the given name is a likely match with the same birth date', () => {
    const bill: MatchCandidate = { walletDid: null, givenName: 'William', familyName: 'Turner', birthDate: '1970-06-15', gender: 'male' };
    const s = scoreMatch({ givenName: 'Bill', familyName: 'Turner', birthDate: '1970-06-15' }, bill);
    expect(s.strength).toBe('likely');
    expect(s.reasons.map((r) => r.code)).toContain('given-name-nickname');
  });

  it('given and family names written the other way round are recognised', () => {
    const chen: MatchCandidate = { walletDid: null, givenName: 'Wei', familyName: 'Chen', birthDate: '1990-11-05', gender: 'male' };
    const s = scoreMatch({ givenName: 'Chen', familyName: 'Wei', birthDate: '1990-11-05' }, chen);
    expect(s.reasons.map((r) => r.code)).toContain('names-swapped');
    expect(s.strength).toBe('likely');
  });

  it('a one-letter typo in a longer name is a likely match; very short names must match exactly', () => {
    expect(editDistance('oliviera', 'oliveira')).toBe(1);
    const s = scoreMatch({ givenName: 'Maria Fernanda', familyName: 'Oliviera-Santos', birthDate: '1984-03-02' }, maria);
    expect(s.strength).toBe('likely');
    const li: MatchCandidate = { walletDid: null, givenName: 'Yan', familyName: 'Li', birthDate: '1980-01-01', gender: 'unknown' };
    expect(codes({ givenName: 'Yan', familyName: 'Lu', birthDate: '1980-01-01' }, li)).not.toContain('family-name-typo');
  });

  it('a birth date with day and month swapped, one digit wrong or two digits swapped still matches', () => {
    expect(codes({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-02-03' })).toContain('birth-date-day-month-swapped');
    expect(codes({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-08' })).toContain('birth-date-one-digit');
    expect(codes({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1948-03-02' })).toContain('birth-date-digits-swapped');
    expect(scoreMatch({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-02-03' }, maria).strength).toBe('likely');
    const variants = birthDateVariants('1984-03-02');
    expect(variants).toEqual(expect.arrayContaining(['1984-03-02', '1984-02-03', '1984-03-08', '1948-03-02']));
    expect(variants.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
  });

  it('the same name with a clearly different birth date is NOT offered as the same patient', () => {
    const s = scoreMatch({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1991-07-19' }, maria);
    expect(s.strength).toBeNull();
    expect(s.reasons.map((r) => r.code)).toContain('birth-date-different');
    const johnA: MatchCandidate = { walletDid: null, givenName: 'John', familyName: 'Smith', birthDate: '1956-04-12', gender: 'male' };
    expect(scoreMatch({ givenName: 'John', familyName: 'Smith', birthDate: '1987-09-30', gender: 'male' }, johnA).strength).toBeNull();
  });

  it('a different recorded gender and a different wallet lower the score', () => {
    const base = scoreMatch({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-02' }, maria).score;
    expect(scoreMatch({ givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-02', gender: 'male' }, maria).score).toBeLessThan(base);
    const other = scoreMatch({ walletDid: 'did:key:zA', givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-02' }, { ...maria, walletDid: 'did:key:zB' });
    expect(other.reasons.map((r) => r.code)).toContain('other-wallet');
    expect(other.score).toBeLessThan(base);
  });

  it('gives every reason a sentence for the clerk', () => {
    for (const r of scoreMatch({ givenName: 'Bill', familyName: 'Oliveira', birthDate: '1984-02-03' }, maria).reasons) expect(r.message).toMatch(/\.$/);
  });
});
