/**
 * ASC X12 837 health care claim from the FHIR Claim, generated and parsed back with
 * `node-x12`, so a hospital can also send the claim through its clearinghouse:
 * 837I (institutional, 005010X223A2) or 837P (professional, 005010X222A1).
 *
 * One interchange, one functional group, one transaction set per claim:
 *   1000A submitter, 1000B receiver;
 *   2000A billing provider (HL level 20) with 2010AA;
 *   2000B subscriber (HL level 22, child of 2000A) with SBR, 2010BA subscriber, 2010BB payer;
 *   2300 claim (CLM, dates, HI diagnoses); 2400 service lines (LX + SV1/SV2 + DTP 472).
 * `check837` parses the text back and checks the loops, the HL hierarchy, the SE segment count
 * and that the claim total equals the sum of the lines.
 *
 * The demo has no NPI or tax id: the billing provider is identified by its ledger MSP ID
 * (qualifier 'XX' needs a real NPI, so a hospital sets CARELEDGER_BILLING_NPI; without it the
 * MSP ID goes with qualifier 'ZZ'-style mutually defined ids where the guide allows).
 */
import type { Claim, Coverage, Patient } from 'fhir/r4';
import { X12Interchange, X12Parser, type X12Segment } from 'node-x12';

export interface X12Options {
  /** Interchange sender and receiver ids (ISA06/ISA08, at most 15 characters). */
  senderId: string;
  receiverId: string;
  /** Interchange control number (1-999999999). */
  controlNumber: number;
  now: Date;
  /** '1' original, '7' replacement of a prior claim (a correction), '8' void. */
  frequency: '1' | '7' | '8';
  /** Billing provider NPI, when the hospital has configured one. */
  npi?: string;
  /** 'T' test or 'P' production (ISA15). */
  usage?: 'T' | 'P';
}

const pad = (s: string, n: number): string => s.slice(0, n).padEnd(n, ' ');
const x12Text = (s: string, max = 60): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[~*:^]/g, ' ')
    .toUpperCase()
    .slice(0, max)
    .trim();
const d8 = (iso: string): string => iso.slice(0, 10).replace(/-/g, '');
const amount = (cents: number): string => {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
};
const cents = (value: number | undefined): number => Math.round((value ?? 0) * 100);

function contained<T extends Patient | Coverage>(claim: Claim, type: T['resourceType']): T {
  const found = (claim.contained ?? []).find((r) => r.resourceType === type);
  if (!found) throw new Error(`The claim has no contained ${type}.`);
  return found as T;
}

/** The 837 as X12 text (segments separated by '~'). */
export function generate837(claim: Claim, options: X12Options): string {
  const institutional = claim.type.coding?.[0]?.code === 'institutional';
  const version = institutional ? '005010X223A2' : '005010X222A1';
  const patient = contained<Patient>(claim, 'Patient');
  const coverage = contained<Coverage>(claim, 'Coverage');
  const insurerId = claim.insurer?.identifier?.value ?? '';
  const insurerName = claim.insurer?.display ?? insurerId;
  const providerId = claim.provider.identifier?.value ?? '';
  const providerName = claim.provider.display ?? providerId;
  const memberId = coverage.subscriberId ?? claim.patient.identifier?.value ?? '';
  const plan = coverage.class?.[0]?.value ?? '';
  const now = options.now.toISOString();
  const ymd = d8(now);
  const hhmm = now.slice(11, 16).replace(':', '');
  const control = String(options.controlNumber).padStart(9, '0');

  const ix = new X12Interchange({ segmentTerminator: '~', elementDelimiter: '*', subElementDelimiter: ':' });
  ix.setHeader(['00', pad('', 10), '00', pad('', 10), 'ZZ', pad(x12Text(options.senderId, 15), 15), 'ZZ', pad(x12Text(options.receiverId, 15), 15), ymd.slice(2), hhmm, '^', '00501', control, '0', options.usage ?? 'T', ':']);
  const group = ix.addFunctionalGroup();
  group.setHeader(['HC', x12Text(options.senderId, 15), x12Text(options.receiverId, 15), ymd, hhmm, String(options.controlNumber), 'X', version]);
  const tx = group.addTransaction();
  tx.setHeader(['837', '0001', version]);
  const seg = (tag: string, ...elements: string[]): void => {
    // Trailing empty elements are dropped, as X12 requires.
    let end = elements.length;
    while (end > 0 && elements[end - 1] === '') end--;
    tx.addSegment(tag, elements.slice(0, end));
  };
  seg('BHT', '0019', '00', x12Text(claim.id ?? 'CLAIM', 30), ymd, hhmm, 'CH');
  // 1000A submitter, 1000B receiver
  seg('NM1', '41', '2', x12Text(providerName), '', '', '', '', '46', x12Text(options.senderId, 80));
  seg('PER', 'IC', 'BILLING OFFICE', 'TE', '0000000000');
  seg('NM1', '40', '2', x12Text(insurerName), '', '', '', '', '46', x12Text(options.receiverId, 80));
  // 2000A billing provider
  seg('HL', '1', '', '20', '1');
  seg('NM1', '85', '2', x12Text(providerName), '', '', '', '', options.npi ? 'XX' : 'PI', options.npi ?? x12Text(providerId, 80));
  seg('N3', 'ADDRESS ON FILE');
  seg('N4', 'CITY', 'ST', '00000');
  seg('REF', 'EI', '000000000');
  // 2000B subscriber (the patient is the subscriber: SBR02 18 self)
  seg('HL', '2', '1', '22', '0');
  seg('SBR', 'P', '18', x12Text(plan, 50), '', '', '', '', '', 'CI');
  const family = patient.name?.[0]?.family ?? '';
  const given = patient.name?.[0]?.given?.[0] ?? '';
  seg('NM1', 'IL', '1', x12Text(family), x12Text(given, 35), '', '', '', 'MI', x12Text(memberId, 80));
  if (patient.birthDate) seg('DMG', 'D8', d8(patient.birthDate), patient.gender === 'female' ? 'F' : patient.gender === 'male' ? 'M' : 'U');
  seg('NM1', 'PR', '2', x12Text(insurerName), '', '', '', '', 'PI', x12Text(insurerId, 80));
  // 2300 claim
  const totalCents = cents(claim.total?.value);
  const facility = institutional ? '11:A:' : '21:B:';
  seg('CLM', x12Text(claim.id ?? '', 38), amount(totalCents), '', '', `${facility}${options.frequency}`, 'Y', 'A', 'Y', 'Y');
  const from = claim.billablePeriod?.start ?? '';
  const to = claim.billablePeriod?.end ?? from;
  if (institutional) {
    seg('DTP', '434', 'RD8', `${d8(from)}-${d8(to)}`);
    seg('CL1', '1', '7', '01');
  } else {
    seg('DTP', '431', 'D8', d8(from));
  }
  if (options.frequency !== '1') seg('REF', 'F8', x12Text(claim.id ?? '', 50));
  const diagnoses = (claim.diagnosis ?? []).map((d) => (d.diagnosisCodeableConcept?.coding?.[0]?.code ?? '').replace('.', ''));
  if (diagnoses.length > 0) {
    const [principal, ...others] = diagnoses;
    if (institutional) {
      seg('HI', `ABK:${principal}`);
      if (others.length > 0) seg('HI', ...others.slice(0, 12).map((c) => `ABF:${c}`));
    } else {
      seg('HI', `ABK:${principal}`, ...others.slice(0, 11).map((c) => `ABF:${c}`));
    }
  }
  // 2400 service lines
  (claim.item ?? []).forEach((item, i) => {
    const code = item.productOrService.coding?.[0]?.code ?? '';
    const modifiers = (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? '').filter((m) => m !== '');
    const composite = ['HC', code, ...modifiers].join(':');
    const units = String(item.quantity?.value ?? 1);
    seg('LX', String(i + 1));
    if (institutional) seg('SV2', item.revenue?.coding?.[0]?.code ?? '', composite, amount(cents(item.net?.value)), 'UN', units);
    else seg('SV1', composite, amount(cents(item.net?.value)), 'UN', units, '', '', '1');
    if (item.servicedDate) seg('DTP', '472', 'D8', d8(item.servicedDate));
  });
  return ix.toString();
}

export interface X12Check {
  ok: boolean;
  problems: string[];
  transactionType: string;
  implementation: string;
  /** How many of each loop were found. */
  loops: { '2000A': number; '2000B': number; '2300': number; '2400': number };
  hierarchy: Array<{ id: string; parent: string; level: string }>;
  /** SE01 as written, and the segments actually between ST and SE inclusive. */
  seCount: number;
  segmentsCounted: number;
  claimTotalCents: number;
  lineTotalCents: number;
}

function values(s: X12Segment): string[] {
  return s.elements.map((e) => e.value);
}

/** Parses an 837 back and checks its structure; never throws on bad input, reports it. */
export function check837(edi: string): X12Check {
  const problems: string[] = [];
  const empty: X12Check = { ok: false, problems, transactionType: '', implementation: '', loops: { '2000A': 0, '2000B': 0, '2300': 0, '2400': 0 }, hierarchy: [], seCount: 0, segmentsCounted: 0, claimTotalCents: 0, lineTotalCents: 0 };
  let parsed;
  try {
    parsed = new X12Parser(true).parse(edi);
  } catch (err) {
    problems.push(`The text does not parse as X12: ${(err as Error).message}`);
    return empty;
  }
  if (!(parsed instanceof X12Interchange)) {
    problems.push('Expected exactly one interchange.');
    return empty;
  }
  const tx = parsed.functionalGroups[0]?.transactions[0];
  if (!tx) {
    problems.push('The interchange has no transaction set.');
    return empty;
  }
  const header = values(tx.header);
  const trailer = values(tx.trailer);
  const result: X12Check = { ...empty, transactionType: header[0] ?? '', implementation: header[2] ?? '' };
  if (result.transactionType !== '837') problems.push(`ST01 is ${result.transactionType}, not 837.`);
  result.seCount = Number(trailer[0]);
  result.segmentsCounted = tx.segments.length + 2;
  if (result.seCount !== result.segmentsCounted) problems.push(`SE01 says ${result.seCount} segments but the set has ${result.segmentsCounted}.`);
  if (trailer[1] !== header[1]) problems.push(`SE02 (${trailer[1]}) does not match ST02 (${header[1]}).`);
  const ids = new Set<string>();
  let expected = 1;
  let inSubscriber = false;
  let sawSbr = false;
  for (const s of tx.segments) {
    const v = values(s);
    if (s.tag === 'HL') {
      const [id = '', parent = '', level = ''] = v;
      result.hierarchy.push({ id, parent, level });
      if (Number(id) !== expected) problems.push(`HL ${id} is out of sequence (expected ${expected}).`);
      expected++;
      if (parent !== '' && !ids.has(parent)) problems.push(`HL ${id} names parent ${parent}, which comes nowhere before it.`);
      ids.add(id);
      if (level === '20') result.loops['2000A']++;
      if (level === '22') {
        result.loops['2000B']++;
        if (parent === '') problems.push(`Subscriber HL ${id} has no parent billing provider.`);
      }
      inSubscriber = level === '22';
      sawSbr = false;
    } else if (s.tag === 'SBR') {
      if (!inSubscriber) problems.push('SBR outside a subscriber (2000B) loop.');
      sawSbr = true;
    } else if (s.tag === 'CLM') {
      if (!inSubscriber || !sawSbr) problems.push('The claim (2300) is not inside a subscriber loop with its SBR.');
      result.loops['2300']++;
      result.claimTotalCents = Math.round(Number(v[1]) * 100);
    } else if (s.tag === 'LX') {
      if (result.loops['2300'] === 0) problems.push('A service line (2400) comes before the claim.');
      result.loops['2400']++;
      if (Number(v[0]) !== result.loops['2400']) problems.push(`LX ${v[0]} is out of sequence.`);
    } else if (s.tag === 'SV1') {
      result.lineTotalCents += Math.round(Number(v[1]) * 100);
    } else if (s.tag === 'SV2') {
      result.lineTotalCents += Math.round(Number(v[2]) * 100);
    }
  }
  if (result.loops['2000A'] === 0) problems.push('No billing provider loop (2000A, HL level 20).');
  if (result.loops['2000B'] === 0) problems.push('No subscriber loop (2000B, HL level 22).');
  if (result.loops['2300'] !== 1) problems.push(`Expected one claim (2300), found ${result.loops['2300']}.`);
  if (result.loops['2400'] === 0) problems.push('No service lines (2400).');
  if (result.claimTotalCents !== result.lineTotalCents) problems.push(`The claim total (CLM02 ${result.claimTotalCents / 100}) is not the sum of the lines (${result.lineTotalCents / 100}).`);
  result.ok = problems.length === 0;
  return result;
}
