export { writeFileAtomic } from './atomic-write';
export type { AccountDeletion, CapabilityStore, GrantEdit, GrantTarget, ScopeDrop, ScopeDropped, StoreLogger } from './capability-store';
export { YamlFileStore, type YamlFileStoreOptions } from './yaml-file.store';
