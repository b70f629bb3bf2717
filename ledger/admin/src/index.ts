/** Ledger administration: see ../README.md. */
export { asAdmin, connectAs, DEFAULT_DEADLINES, identityWithRole, ledgerCode, readBundle, type AdminBundle, type AdminIdentity, type ContractOf, type GatewayDeadlines } from './connect';
export { initialiseGovernance, registerOrganisation, trustIssuer, type OrganisationKindWord, type TrustedIssuerInput } from './governance';
export { publishStatusList, STATUS_PUBLISHER_ROLES, type StatusListInput } from './status';
