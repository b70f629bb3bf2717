/**
 * The claim checklist: every rule a claim must pass before it leaves the workstation, as one
 * list the form shows while the clerk types and main runs again before anything is queued.
 * Each failure is a sentence on the field it concerns.
 *
 * The FHIR R4 structure check (Medplum's validator) runs in main on the built resource; the
 * rules here are the ones a clerk can fix in the form.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { CODE_SYSTEM_NAME, type CodeSets, describeCode, hasFormat, procedureSystemOf } from './codes';
import { type ClaimCheck, type ClaimContext, type ClaimForm, toCents } from './schemas';

function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** Sum of units × unit price, in cents; NaN-safe (a blank field counts as 0). */
export function lineNetCents(item: { units: number; unitPrice: number }): number {
  const units = Number.isFinite(item.units) ? item.units : 0;
  const price = Number.isFinite(item.unitPrice) ? toCents(item.unitPrice) : 0;
  return units * price;
}

export function claimTotalCents(form: Pick<ClaimForm, 'items'>): number {
  return form.items.reduce((sum, item) => sum + lineNetCents(item), 0);
}

/** The claim's service period: first and last service date (YYYY-MM-DD), or null without items. */
export function servicePeriod(form: Pick<ClaimForm, 'items'>): { start: string; end: string } | null {
  const dates = form.items.map((i) => i.servicedDate).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  const start = dates[0];
  const end = dates[dates.length - 1];
  return start !== undefined && end !== undefined ? { start, end } : null;
}

/**
 * Runs every check. `ok` of the whole claim = no failed check of severity 'error'.
 * @param sets the code sets loaded on this workstation (the demo list unless a hospital loaded its own)
 */
export function checkClaim(form: ClaimForm, context: ClaimContext, sets: CodeSets): ClaimCheck[] {
  const checks: ClaimCheck[] = [];
  const add = (id: string, label: string, ok: boolean, message: string, field: string | null = null, severity: 'error' | 'warning' = 'error'): void => {
    checks.push({ id, label, ok, severity, message, field });
  };

  // ---- codes
  if (form.diagnoses.length === 0) add('diagnosis.principal', 'Principal diagnosis', false, 'Add the principal diagnosis (ICD-10-CM) first.', 'diagnoses');
  const seenDiagnoses = new Set<string>();
  form.diagnoses.forEach((d, i) => {
    const code = d.code.trim().toUpperCase();
    const label = i === 0 ? 'Principal diagnosis' : `Diagnosis ${i + 1}`;
    const field = `diagnoses.${i}.code`;
    if (code === '') add(`diagnosis.${i}`, label, false, 'Enter an ICD-10-CM code or remove this diagnosis.', field);
    else if (!hasFormat('icd10cm', code)) add(`diagnosis.${i}`, label, false, `${code} is not an ICD-10-CM code: a letter, two characters, then optionally a dot and up to four more (e.g. J18.9).`, field);
    else if (seenDiagnoses.has(code)) add(`diagnosis.${i}`, label, false, `${code} is listed twice; remove the second.`, field);
    else {
      const description = describeCode(sets, 'icd10cm', code);
      add(`diagnosis.${i}`, label, description !== null, description ?? `${code} is not in the ICD-10-CM code set loaded on this workstation; check the code (IT can load the hospital's licensed code set).`, field);
    }
    seenDiagnoses.add(code);
  });

  if (form.items.length === 0) add('items', 'Service lines', false, 'Add at least one service line.', 'items');
  form.items.forEach((item, i) => {
    const n = i + 1;
    const code = item.code.trim().toUpperCase();
    const system = procedureSystemOf(code);
    const field = `items.${i}.code`;
    if (code === '') add(`item.${i}.code`, `Line ${n} procedure`, false, 'Enter a CPT or HCPCS code.', field);
    else if (system === null) add(`item.${i}.code`, `Line ${n} procedure`, false, `${code} is not a CPT code (5 digits, e.g. 99223) or HCPCS code (a letter and 4 digits, e.g. J1885).`, field);
    else {
      const description = describeCode(sets, system, code);
      add(`item.${i}.code`, `Line ${n} procedure`, description !== null, description ?? `${code} is not in the ${CODE_SYSTEM_NAME[system]} code set loaded on this workstation; check the code.`, field);
    }
    item.modifiers.forEach((m, mi) => {
      const mod = m.trim().toUpperCase();
      if (!hasFormat('modifier', mod)) add(`item.${i}.modifier.${mi}`, `Line ${n} modifier`, false, `"${m}" is not a modifier: two letters or digits (e.g. 25, LT).`, `items.${i}.modifiers`);
      else if (describeCode(sets, 'modifier', mod) === null) add(`item.${i}.modifier.${mi}`, `Line ${n} modifier`, false, `Modifier ${mod} is not in the loaded modifier list.`, `items.${i}.modifiers`);
    });
    if (item.modifiers.length > 4) add(`item.${i}.modifiers`, `Line ${n} modifiers`, false, 'A service line takes at most 4 modifiers.', `items.${i}.modifiers`);
    const revenue = item.revenueCode.trim();
    if (form.claimType === 'institutional') {
      if (revenue === '') add(`item.${i}.revenue`, `Line ${n} revenue code`, false, 'An institutional claim needs a revenue code on every line (e.g. 0120 semi-private room).', `items.${i}.revenueCode`);
      else if (!hasFormat('revenue', revenue)) add(`item.${i}.revenue`, `Line ${n} revenue code`, false, `${revenue} is not a revenue code: 4 digits starting with 0 (e.g. 0120).`, `items.${i}.revenueCode`);
      else if (describeCode(sets, 'revenue', revenue) === null) add(`item.${i}.revenue`, `Line ${n} revenue code`, false, `Revenue code ${revenue} is not in the loaded list; check it.`, `items.${i}.revenueCode`);
    } else if (revenue !== '') {
      add(`item.${i}.revenue`, `Line ${n} revenue code`, false, 'A professional claim has no revenue codes; clear this field or make the claim institutional.', `items.${i}.revenueCode`);
    }
    if (!Number.isInteger(item.units) || item.units < 1 || item.units > 999) add(`item.${i}.units`, `Line ${n} units`, false, 'Units are a whole number from 1 to 999.', `items.${i}.units`);
    if (!Number.isFinite(item.unitPrice) || item.unitPrice <= 0) add(`item.${i}.price`, `Line ${n} unit price`, false, 'Enter the unit price, above 0.', `items.${i}.unitPrice`);
    else if (Math.abs(Math.round(item.unitPrice * 100) - item.unitPrice * 100) > 1e-6) add(`item.${i}.price`, `Line ${n} unit price`, false, 'Use at most two decimals (cents).', `items.${i}.unitPrice`);
  });

  // ---- dates: inside the admission, inside the coverage
  const lastDay = context.dischargedOn ?? context.today;
  form.items.forEach((item, i) => {
    const field = `items.${i}.servicedDate`;
    const d = item.servicedDate;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) {
      add(`item.${i}.date`, `Line ${i + 1} service date`, false, 'Enter the service date.', field);
      return;
    }
    if (d < context.admittedOn || d > lastDay) {
      add(`item.${i}.date`, `Line ${i + 1} service date`, false, `${d} is outside the admission (${context.admittedOn} to ${context.dischargedOn ?? 'today, still admitted'}).`, field);
    } else if (context.coverage && (d < context.coverage.start || d > context.coverage.end)) {
      add(`item.${i}.date`, `Line ${i + 1} service date`, false, `${d} is outside the coverage period (${context.coverage.start} to ${context.coverage.end}); the insurer will deny it (CARC 27).`, field);
    }
  });
  const period = servicePeriod(form);
  add('dates', 'Service dates within admission and coverage', !checks.some((c) => c.id.endsWith('.date')), period ? `Services from ${period.start} to ${period.end}.` : 'No service dates yet.', null);

  // ---- coverage and insurer
  const cov = context.coverage;
  if (!cov) {
    add('coverage', 'Coverage verified and not revoked', false, 'The admission has no verified insurance card. Ask the admission desk to scan the patient’s insurance card, then bill.', null);
  } else if (cov.revocation === 'revoked') {
    const served = period ? (period.start === period.end ? `the service date ${period.start}` : `the service dates ${period.start} to ${period.end}`) : 'the service dates';
    const word = cov.revocationNote === 'suspended' ? 'suspended' : 'revoked';
    add('coverage', 'Coverage verified and not revoked', false, `${cov.insurerName}'s insurance card for member ${cov.memberId} (plan ${cov.planName}) is ${word} on the insurer's status list${cov.revokedOn ? ` (list changed on ${cov.revokedOn})` : ''}, so it cannot be billed for ${served}. Contact the patient and the insurer; nothing is sent while the card is ${word}.`, null);
  } else if (cov.eligibility !== 'eligible') {
    add('coverage', 'Coverage verified and not revoked', false, `The insurance card was not verified at admission: ${cov.eligibilityMessage}`, null);
  } else if (cov.revocation === 'unknown') {
    add('coverage', 'Coverage verified and not revoked', true, `Verified at admission (member ${cov.memberId}, plan ${cov.planName}), but whether the card was revoked since is unknown: ${cov.revocationNote ?? 'its status could not be read from the status-list mirror'}. You may submit; the insurer checks its own list. Let the workstation sync with the ledger to clear this warning.`, null, 'warning');
  } else {
    add('coverage', 'Coverage verified and not revoked', true, `Verified at admission and not revoked on the insurer's status list: member ${cov.memberId}, plan ${cov.planName}, ${cov.start} to ${cov.end}.`, null);
  }
  if (!context.insurer) {
    add('insurer', 'Insurer registered', false, cov ? `${cov.insurerName} (${cov.insurerDid}) is not registered as an insurer on the ledger, so the claim cannot be sent to it. Ask governance to register it, or bill on paper.` : 'No insurer: the admission has no insurance card.', null);
  } else {
    add('insurer', 'Insurer registered', true, `${context.insurer.name} (${context.insurer.mspId}) is a registered insurer.`, null);
  }

  // ---- totals
  const total = claimTotalCents(form);
  if (form.billTotal !== null && Number.isFinite(form.billTotal)) {
    const bill = toCents(form.billTotal);
    add('totals', 'Totals add up', bill === total, bill === total ? `The lines add up to the bill total, ${formatCents(total)} ${context.currency}.` : `The lines add up to ${formatCents(total)} but the bill total is ${formatCents(bill)} (${formatCents(bill - total)} apart). Correct a line or the bill total.`, 'billTotal');
  } else {
    add('totals', 'Totals add up', total > 0, total > 0 ? `Claim total ${formatCents(total)} ${context.currency} (type the bill total to cross-check it).` : 'The claim total is 0: add prices.', 'billTotal', total > 0 ? 'warning' : 'error');
  }
  return checks;
}

/** True when no check of severity 'error' failed. */
export function claimPasses(checks: readonly ClaimCheck[]): boolean {
  return checks.every((c) => c.ok || c.severity !== 'error');
}

export { formatCents };
