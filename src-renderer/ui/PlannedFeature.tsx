import type { ReactNode } from 'react';

export interface PlannedFeatureProps {
  /** One or two sentences: what this screen is for. */
  summary: string;
  /** Who uses it, in the hospital's words. */
  usedBy: string;
  /** The workflow, step by step, as it will work. */
  steps: readonly string[];
  /** What protects patients and staff along the way. */
  safeguards: readonly string[];
}

/**
 * A screen whose feature is not built yet. It says plainly what it will do and shows no
 * sample data: a made-up patient on a clinical screen is worse than an empty one.
 */
export function PlannedFeature({ summary, usedBy, steps, safeguards }: PlannedFeatureProps): ReactNode {
  return (
    <div className="planned" data-testid="planned-feature">
      <div className="notice notice-info planned-banner" role="status">
        <div>
          <p className="notice-title">Not available on this workstation yet</p>
          <p>This screen describes how the feature will work. Nothing here is live, and no data is shown.</p>
        </div>
      </div>
      <p className="lead">{summary}</p>
      <div className="planned-grid">
        <section className="card" aria-labelledby="planned-steps">
          <h2 id="planned-steps">How it will work</h2>
          <ol className="steps">
            {steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </section>
        <div className="planned-side">
          <section className="card" aria-labelledby="planned-who">
            <h2 id="planned-who">Who uses it</h2>
            <p>{usedBy}</p>
          </section>
          <section className="card" aria-labelledby="planned-safeguards">
            <h2 id="planned-safeguards">Safeguards</h2>
            <ul className="safeguards">
              {safeguards.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </div>
  );
}
