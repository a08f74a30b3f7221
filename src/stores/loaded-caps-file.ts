import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { parseCapsFile } from '../capabilities/caps-file';
import { CapsDocument } from './caps-document';

/** One valid version of the capability file: its text, its policy and its editable document. */
export interface LoadedCapsFile {
  readonly text: string;
  readonly policy: CapabilityPolicy;
  readonly document: CapsDocument;
}

/**
 * Validates `text` with `parseCapsFile` (throwing its `CapsFileError`, which names
 * `file`, the line and the offending name) and keeps the document for later edits.
 *
 * @example
 * const loaded = loadCapsFile(await readFile('caps.yaml', 'utf8'), 'caps.yaml');
 */
export function loadCapsFile(text: string, file: string): LoadedCapsFile {
  const policy = parseCapsFile(text, file);
  return { text, policy, document: CapsDocument.parse(text) };
}
