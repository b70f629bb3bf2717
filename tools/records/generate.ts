/**
 * Writes realistic FHIR R4 demo records for a patient as a FHIR transaction Bundle (to load into
 * any FHIR server) or prints a summary. The generator itself lives with the gatekeeper
 * (services/record-gatekeeper/src/demo-records.ts) because the demo start loads it into the
 * embedded stores; this is its command line.
 *
 *   npx tsx tools/records/generate.ts --did did:key:z6Mk… --name "Maria Oliveira" --birth-date 1984-03-02
 *        [--gender female] [--hospital "Hospital B"] [--days 120] [--seed 7] [--no-sensitive] [--out chart.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Bundle } from 'fhir/r4';
import { generatePatientRecords } from '../../services/record-gatekeeper/src/demo-records';

export { generatePatientRecords, loadRecords, tinyPdf, type DemoPatient, type GenerateOptions } from '../../services/record-gatekeeper/src/demo-records';

function main(): number {
  const { values } = parseArgs({
    options: {
      did: { type: 'string' },
      name: { type: 'string', default: 'Maria Oliveira' },
      'birth-date': { type: 'string', default: '1984-03-02' },
      gender: { type: 'string', default: 'female' },
      hospital: { type: 'string', default: 'Hospital B' },
      days: { type: 'string', default: '120' },
      seed: { type: 'string', default: '7' },
      'no-sensitive': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  if (!values.did?.startsWith('did:')) {
    process.stderr.write('--did must be the patient wallet DID (did:key:… or did:jwk:…).\n');
    return 2;
  }
  const [given = 'Demo', ...family] = values.name.split(' ');
  const records = generatePatientRecords(
    { did: values.did, givenName: given, familyName: family.join(' ') || 'Patient', birthDate: values['birth-date'], gender: values.gender as 'female' },
    { patientId: 'demo-patient', hospitalName: values.hospital, days: Number(values.days), seed: Number(values.seed), sensitive: !values['no-sensitive'] },
  );
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: records.map((resource) => (resource.resourceType === 'Patient' ? { resource, request: { method: 'PUT' as const, url: `Patient/${resource.id ?? ''}` } } : { resource, request: { method: 'POST' as const, url: resource.resourceType } })),
  };
  if (values.out) writeFileSync(values.out, JSON.stringify(bundle, null, 2));
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.resourceType, (counts.get(r.resourceType) ?? 0) + 1);
  process.stdout.write(`${records.length} resources${values.out ? ` written to ${values.out}` : ''}: ${[...counts].map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
  return 0;
}

if (process.argv[1]?.endsWith('generate.ts')) process.exitCode = main();
