import type { ReactNode } from 'react';

/** The CareLedger mark: a shield with a ledger line, drawn inline so nothing is fetched. */
export function BrandMark({ size = 28 }: { size?: number }): ReactNode {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M16 2 4 6.5v8.3c0 7.4 5 13.4 12 15.2 7-1.8 12-7.8 12-15.2V6.5L16 2Z" fill="#0b6e75" />
      <path
        d="M10 16.5h4l2-4 2.5 8 2-4H24"
        fill="none"
        stroke="#fff"
        strokeWidth="2.2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function Brand({ inverted = false }: { inverted?: boolean }): ReactNode {
  return (
    <span className={`brand${inverted ? ' brand-inverted' : ''}`}>
      <BrandMark />
      <span className="brand-name">CareLedger</span>
      <span className="brand-sub">Workstation</span>
    </span>
  );
}
