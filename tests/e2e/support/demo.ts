/**
 * What `start:web --demo` enrols (src-main/demo/demo-staff.ts): one staff member per role,
 * all with the same demo PIN. Imported rather than copied, so the tests follow the demo.
 */
export {
  DEMO_CACHE_PASSPHRASE,
  DEMO_PIN,
  DEMO_STAFF,
  DEMO_RECOVERY_PASSPHRASE,
} from '../../../src-main/demo/demo-staff';
export { STAFF_ROLES, type StaffRole } from '../../../src-shared/ipc/contract';
export { ROLES_BY_KIND, type HospitalRole } from '../../../src-shared/organisations/roles';
