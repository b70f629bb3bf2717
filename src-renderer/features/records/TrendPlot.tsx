import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrendSeries } from '../../../src-shared/records/schemas';
import { formatDate } from '../../lib/format';

/**
 * One clinical trend (one LOINC code) with uPlot: points over time, the usual adult reference
 * range shaded, the unit on the value axis, dates on the time axis.
 */
export function TrendPlot({ series }: { series: TrendSeries }): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const xs = series.points.map((p) => Date.parse(p.at) / 1000);
    const ys = series.points.map((p) => p.value);
    const values = [
      ...ys,
      ...(series.low !== null ? [series.low] : []),
      ...(series.high !== null ? [series.high] : []),
    ];
    const min = Math.min(...values);
    const max = Math.max(...values);
    const pad = (max - min || Math.abs(max) || 1) * 0.15;
    const plot = new uPlot(
      {
        width: 380,
        height: 180,
        legend: { show: false },
        scales: { x: { time: true }, y: { range: [min - pad, max + pad] } },
        axes: [
          { values: (_u, ticks) => ticks.map((t) => formatDate(new Date(t * 1000))) },
          { label: series.unit, labelSize: 18, size: 50 },
        ],
        series: [{}, { label: series.label, stroke: '#1f5fa8', width: 2, points: { show: true, size: 6 } }],
        hooks: {
          drawClear: [
            (u) => {
              if (series.low === null && series.high === null) return;
              const top = u.valToPos(series.high ?? max + pad, 'y', true);
              const bottom = u.valToPos(series.low ?? min - pad, 'y', true);
              u.ctx.save();
              u.ctx.fillStyle = 'rgba(46, 139, 87, 0.14)';
              u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
              u.ctx.restore();
            },
          ],
        },
      },
      [xs, ys],
      el,
    );
    return () => plot.destroy();
  }, [series]);
  const range =
    series.low !== null || series.high !== null
      ? `usual range ${series.low ?? '…'}–${series.high ?? '…'} ${series.unit}`
      : 'no reference range shown';
  return (
    <figure className="trend" data-testid="trend-plot">
      <figcaption>
        <strong>{series.label}</strong>{' '}
        <span className="muted">
          ({series.unit}; LOINC {series.code}; shaded: {range})
        </span>
      </figcaption>
      <div
        ref={host}
        role="img"
        aria-label={`${series.label} over time: ${series.points.map((p) => `${formatDate(p.at)} ${p.value} ${series.unit}`).join(', ')}`}
      />
    </figure>
  );
}
