import { describe, expect, it } from 'vitest';
import { sql, sqlInteger, sqlJoin } from '../../../src-main/cache/sql';

describe('sql tagged template', () => {
  it('turns every interpolation into a bound parameter', () => {
    const name = "Robert'); DROP TABLE staff_identity;--";
    const [query, params] = sql`SELECT * FROM staff_identity WHERE display_name = ${name} AND role = ${'clinician'}`;
    expect(query).toBe('SELECT * FROM staff_identity WHERE display_name = ? AND role = ?');
    expect(params).toEqual([name, 'clinician']);
  });

  it('inlines nested fragments with their own parameters, in order', () => {
    const rows = sqlJoin([sql`(${1}, ${'a'})`, sql`(${2}, ${'b'})`]);
    const [query, params] = sql`INSERT INTO t (n, s) VALUES ${rows} RETURNING ${true}`;
    expect(query).toBe('INSERT INTO t (n, s) VALUES (?, ?), (?, ?) RETURNING ?');
    expect(params).toEqual([1, 'a', 2, 'b', 1]);
  });

  it('only writes safe integers into the query text', () => {
    expect(sql`PRAGMA user_version = ${sqlInteger(3)}`[0]).toBe('PRAGMA user_version = 3');
    expect(() => sqlInteger(1.5)).toThrow(TypeError);
    expect(() => sqlInteger(Number.NaN)).toThrow(TypeError);
  });

  it('does not treat a look-alike array from data as a fragment', () => {
    const forged = ['1; DROP TABLE x', []] as unknown as string;
    const [query, params] = sql`SELECT ${forged}`;
    expect(query).toBe('SELECT ?');
    expect(params).toEqual([forged]);
  });
});
