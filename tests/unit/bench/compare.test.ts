import { describe, expect, it } from 'vitest';
import { compareReports, parseReport } from '../../../tools/bench/compare';
import { meetsTarget, ratioToFloor, type BenchReport, type BenchRow } from '../../../tools/bench/types';

function report(rows: BenchRow[]): BenchReport {
  return { at: '2026-12-07T00:00:00.000Z', machine: { cpus: 2, cpuModel: 'x', memoryGiB: 4, node: 'v20', platform: 'linux' }, rows, failures: [] };
}

describe('bench rows: floor, ratio, target', () => {
  it('states the ratio as "times worse than the floor" for times and for rates alike', () => {
    expect(ratioToFloor({ name: 'verify', value: 12, unit: 'ms', floor: { name: 'node:crypto', value: 0.4 } })).toBeCloseTo(30);
    expect(ratioToFloor({ name: 'drain', value: 250, unit: 'tx/s', floor: { name: 'raw client', value: 500 } })).toBeCloseTo(2);
    expect(ratioToFloor({ name: 'no floor', value: 1, unit: 'ms' })).toBeUndefined();
    expect(ratioToFloor({ name: 'zero floor', value: 1, unit: 'ms', floor: { name: 'f', value: 0 } })).toBeUndefined();
  });

  it('judges a target by the direction of the unit, or the one the row names', () => {
    expect(meetsTarget({ name: 'p95', value: 9, unit: 'ms', target: 10 })).toBe(true);
    expect(meetsTarget({ name: 'p95', value: 11, unit: 'ms', target: 10 })).toBe(false);
    expect(meetsTarget({ name: 'rate', value: 499, unit: 'tx/s', target: 500 })).toBe(false);
    expect(meetsTarget({ name: 'share', value: 96, unit: '%', better: 'higher', target: 95 })).toBe(true);
    expect(meetsTarget({ name: 'none', value: 1, unit: 'ms' })).toBeUndefined();
  });
});

describe('bench --compare', () => {
  it('flags a row that got worse beyond 10 % and lets noise pass', () => {
    const before = report([
      { suite: 's', name: 'p95', value: 10, unit: 'ms' },
      { suite: 's', name: 'rate', value: 500, unit: 'tx/s' },
      { suite: 's', name: 'steady', value: 100, unit: 'ms' },
    ]);
    const after = report([
      { suite: 's', name: 'p95', value: 12, unit: 'ms' },
      { suite: 's', name: 'rate', value: 600, unit: 'tx/s' },
      { suite: 's', name: 'steady', value: 105, unit: 'ms' },
    ]);
    const byName = Object.fromEntries(compareReports(before, after).map((c) => [c.name, c]));
    expect(byName.p95?.verdict).toBe('worse');
    expect(byName.p95?.improvement).toBeCloseTo(-0.2);
    expect(byName.rate?.verdict).toBe('better');
    expect(byName.steady?.verdict).toBe('same');
  });

  it('judges on the ratio to the floor when both runs measured it, so a slower machine is not a regression', () => {
    const before = report([{ suite: 's', name: 'verify', value: 10, unit: 'ms', floor: { name: 'crypto', value: 1 } }]);
    // Twice as slow in absolute terms on a busier machine, but the floor slowed down as much.
    const after = report([{ suite: 's', name: 'verify', value: 20, unit: 'ms', floor: { name: 'crypto', value: 2 } }]);
    const [change] = compareReports(before, after);
    expect(change?.basis).toBe('ratio to floor');
    expect(change?.verdict).toBe('same');
    const worse = report([{ suite: 's', name: 'verify', value: 20, unit: 'ms', floor: { name: 'crypto', value: 1 } }]);
    expect(compareReports(before, worse)[0]?.verdict).toBe('worse');
  });

  it('lists rows that are new in this run and rows that are gone', () => {
    const changes = compareReports(report([{ suite: 's', name: 'old', value: 1, unit: 'ms' }]), report([{ suite: 's', name: 'fresh', value: 1, unit: 'ms' }]));
    expect(changes.map((c) => [c.name, c.verdict])).toEqual([
      ['fresh', 'new'],
      ['old', 'gone'],
    ]);
  });

  it('refuses a file that is not a bench report with a sentence saying what to pass', () => {
    expect(() => parseReport('not json', 'x.json')).toThrow(/x.json is not JSON: pass a bench.json/);
    expect(() => parseReport('{"rows": [{"name": 1}]}', 'y.json')).toThrow(/y.json has no list of bench rows/);
    expect(parseReport(JSON.stringify(report([{ name: 'a', value: 1, unit: 'ms' }])), 'z.json').rows).toHaveLength(1);
  });
});
