/**
 * The demo's other organisations' workstations: an insurer's, the governance body's and the
 * medical board's, each a web host of its own (own port, own data folder, own enrolled demo staff)
 * on the SAME ledger as Hospital A's: they connect to the running devnet through its bundle as
 * their own organisation (its own peer's gateway, its own MSP), like a second building would.
 *
 * Used by `start:web --demo --embedded-ledger` (all of them, beside Hospital A's) and by
 * `start:web --organisation <MSP ID>` (one of them, against a devnet already running).
 */
import path from 'node:path';
import { KIND_LABEL, type OrganisationKind } from '../../src-shared/organisations/roles';
import { demoOrganisationCa, demoStaffOf, prepareDemo, type DemoStaffMember } from '../demo/demo-staff';
import { createWorkstation, type Workstation } from '../services';
import { startWebHost, type WebHost } from './host';

/** The demo's organisation workstations besides Hospital A's, by the word `--organisations` takes. */
export const DEMO_ORGANISATION_WORKSTATIONS = [
  { slug: 'insurer', mspId: 'InsurerMSP' },
  { slug: 'governance', mspId: 'GovernanceMSP' },
  { slug: 'board', mspId: 'MedicalBoardMSP' },
] as const;
export type OrganisationSlug = (typeof DEMO_ORGANISATION_WORKSTATIONS)[number]['slug'];

export interface OrganisationWorkstationOptions {
  mspId: string;
  /** The running devnet's bundle (`<devnet dir>/bundle.json`). */
  bundleFile: string;
  /** The devnet folder, where the demo staff's certificates are (network material). */
  devnetDir: string;
  dataDir: string;
  rendererDir: string;
  /** 0 = a free port. */
  port?: number;
  /** Enrol the organisation's demo staff (PIN 1234) and open the cache with the demo passphrase. */
  demo: boolean;
  log?: (line: string) => void;
}

export interface OrganisationHost {
  mspId: string;
  name: string;
  kind: OrganisationKind;
  url: string;
  dataDir: string;
  staff: DemoStaffMember[];
  workstation: Workstation;
  host: WebHost;
  /** Closes the web host, then the workstation. */
  close(): Promise<void>;
}

/**
 * Starts one organisation's workstation on the devnet behind `bundleFile`.
 * @throws Error when the devnet has no such organisation.
 */
export async function startOrganisationWorkstation(options: OrganisationWorkstationOptions): Promise<OrganisationHost> {
  const devnetDir = path.resolve(options.devnetDir);
  const org = await demoOrganisationCa(devnetDir, options.mspId);
  if (!org) throw new Error(`The devnet in ${devnetDir} has no organisation ${options.mspId}; check ledger/devnet/devnet.config.json.`);
  const kind = org.organisationKind ?? 'hospital';
  const workstation = createWorkstation({
    dataDir: path.resolve(options.dataDir),
    keychain: null,
    validateResponses: true,
    ledger: { devnetBundleFile: path.resolve(options.bundleFile), mspId: options.mspId },
  });
  await workstation.start();
  let host: WebHost;
  try {
    if (options.demo) await prepareDemo(workstation, { devnetDir, mspId: options.mspId, ...(options.log ? { log: options.log } : {}) });
    host = await startWebHost({ workstation, rendererDir: options.rendererDir, port: options.port ?? 0 });
  } catch (err) {
    await workstation.close();
    throw err;
  }
  return {
    mspId: options.mspId,
    name: org.organisationName,
    kind,
    url: host.url,
    dataDir: path.resolve(options.dataDir),
    staff: demoStaffOf(options.mspId),
    workstation,
    host,
    close: async () => {
      await host.close();
      await workstation.close();
    },
  };
}

/** The line a started organisation workstation prints (the e2e helper reads it). */
export function organisationReadyLine(o: Pick<OrganisationHost, 'mspId' | 'name' | 'url'>): string {
  return `CareLedger workstation ready for ${o.name} (${o.mspId}): ${o.url}`;
}

/** The demo banner's lines about the other organisations' workstations. */
export function organisationsBanner(
  hosts: readonly OrganisationHost[],
  pin: string,
  heading = "Other organisations' workstations on the same ledger (each its own data folder and staff):",
): string {
  if (hosts.length === 0) return '';
  return [
    `  ${heading}`,
    ...hosts.map(
      (h) =>
        `    ${`${KIND_LABEL[h.kind]}: ${h.name} (${h.mspId})`.padEnd(56)} ${h.url}\n      sign in as ${h.staff.map((s) => `${s.displayName} (${s.role})`).join(', ')}; PIN ${pin}`,
    ),
  ].join('\n');
}
