export { writeFileAtomic } from './file/atomic-write';
export type { AccountDeletion, CapabilityStore, GrantEdit, StoreLogger } from './capability-store';
export { YamlFileStore, type YamlFileStoreOptions } from './file/yaml-file.store';
