export { writeFileAtomic } from './file/atomic-write';
export type { AccountDeletion, CapabilityStore, GrantEdit, GrantTarget, ScopeDrop, ScopeDropped, StoreLogger } from './capability-store';
export { YamlFileStore, type YamlFileStoreOptions } from './file/yaml-file.store';
