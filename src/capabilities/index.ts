export { ADMIN_CAPABILITY, CapabilityGraph, type CapabilityDefinitions } from './capability-graph';
export { CapabilitySet } from './capability-set';
export { CapabilityPolicy, assertDefined, type PolicyParts, type UserGrants } from './capability-policy';
export { assertCapabilityName, capabilityNameProblem, MAX_CAPABILITY_NAME_LENGTH } from './capability-name';
export { assertEmail, canonicalizeEmail, isServiceAccount, MAX_EMAIL_LENGTH, SERVICE_DOMAIN } from './email';
export { assertWellFormedText, wellFormedTextProblem } from './well-formed-text';
export { assertKeyName } from './key-name';
export { assertAdminRemains, assertCanGrant, assertCanRevokeKey, checkedChange, checkedDeletion, planChange, USER_MANAGEMENT, type CapabilityChange } from './grant-rules';
export type { Principal } from './principal';
