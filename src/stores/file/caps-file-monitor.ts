import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { CapabilitiesError } from '../../errors';
import { mayStillChangeUnseen, readFileSignature, type FileSignature } from './file-signature';
import { loadCapsFile, type LoadedCapsFile } from '../../caps-file/loaded-caps-file';

/** What a look at the file on disk found, compared with the version in memory. */
export type DiskCheck =
  | { readonly kind: 'unchanged' }
  /** A broken file was put back to the version in memory. */
  | { readonly kind: 'restored' }
  /** Somebody wrote a new valid version. */
  | { readonly kind: 'changed'; readonly loaded: LoadedCapsFile }
  /** The file is invalid or unreadable; `fresh` is false while the same problem was already reported. */
  | { readonly kind: 'broken'; readonly error: CapabilitiesError; readonly fresh: boolean };

/**
 * Knows which version of the capability file the store holds and tells whether the
 * file on disk is still that version. A `stat` per look; the file is read only when
 * the signature moved (or might have moved unseen), and parsed only when the text
 * differs from the version in memory, so the store's own writes never count as edits.
 *
 * @example
 * const monitor = new CapsFileMonitor('caps.yaml');
 * const loaded = await monitor.load();
 * const check = await monitor.check(); // { kind: 'unchanged' } until somebody edits it
 */
export class CapsFileMonitor {
  private knownText = '';
  private seen: { signature: FileSignature | undefined; takenAtMs: number } = { signature: undefined, takenAtMs: 0 };
  private brokenBy: CapabilitiesError | undefined;

  /** `maxWholeParseBytes` bounds the edits parsed by `check` while the app serves; `load` reads any size. */
  constructor(
    readonly file: string,
    private readonly maxWholeParseBytes?: number,
  ) {}

  /** Reads and validates the file; throws `CAPS_FILE_UNREADABLE` or the parser's `CapsFileError`. */
  async load(): Promise<LoadedCapsFile> {
    const { signature, text } = await this.read();
    const loaded = loadCapsFile(text, this.file);
    this.remember(signature, text);
    return loaded;
  }

  /** Compares the file on disk with the version in memory; never throws. */
  async check(): Promise<DiskCheck> {
    let signature: FileSignature | undefined;
    let text: string;
    try {
      // The signature is taken before the text: an edit landing in between is then
      // seen as a change at the next check instead of being missed.
      signature = await readFileSignature(this.file);
      if (!this.mustRead(signature)) return this.steady();
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      return this.broken(signature, asFileProblem(this.file, error));
    }
    if (text === this.knownText) {
      const wasBroken = this.brokenBy !== undefined;
      this.remember(signature, text);
      return { kind: wasBroken ? 'restored' : 'unchanged' };
    }
    try {
      const loaded = loadCapsFile(text, this.file, this.maxWholeParseBytes === undefined ? {} : { maxWholeParseBytes: this.maxWholeParseBytes });
      this.remember(signature, text);
      return { kind: 'changed', loaded };
    } catch (error) {
      return this.broken(signature, asFileProblem(this.file, error));
    }
  }

  /** Records the store's own write of `text`, so that it is not taken for an edit. */
  async wrote(text: string): Promise<void> {
    // Unknown signature: the next check reads the file and finds this very text.
    const signature = await readFileSignature(this.file).catch(() => undefined);
    this.remember(signature, text);
  }

  /** Why the file on disk cannot be used now, if it cannot. */
  get problem(): CapabilitiesError | undefined {
    return this.brokenBy;
  }

  private mustRead(signature: FileSignature): boolean {
    const { signature: known, takenAtMs } = this.seen;
    return known === undefined || known.key !== signature.key || mayStillChangeUnseen(known, takenAtMs);
  }

  private steady(): DiskCheck {
    return this.brokenBy === undefined ? { kind: 'unchanged' } : { kind: 'broken', error: this.brokenBy, fresh: false };
  }

  private broken(signature: FileSignature | undefined, error: CapabilitiesError): DiskCheck {
    const fresh = this.brokenBy?.message !== error.message;
    this.brokenBy = error;
    this.seen = { signature, takenAtMs: Date.now() };
    return { kind: 'broken', error, fresh };
  }

  private remember(signature: FileSignature | undefined, text: string): void {
    this.knownText = text;
    this.brokenBy = undefined;
    this.seen = { signature, takenAtMs: Date.now() };
  }

  private async read(): Promise<{ signature: FileSignature; text: string }> {
    try {
      const signature = await readFileSignature(this.file);
      return { signature, text: await readFile(this.file, 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw missingCapsFile(this.file, error);
      throw asFileProblem(this.file, error);
    }
  }
}

/**
 * The start-up's answer to a capability file that is not there: the path as given, the
 * working directory a relative one is read from, and how to make a first one. (A file that
 * vanishes while the app runs is only logged: its last good state stays in force.)
 */
function missingCapsFile(file: string, cause: unknown): CapabilitiesError {
  const where = isAbsolute(file) ? '' : ` (relative to the working directory ${process.cwd()})`;
  const argument = /^[\w./@:+-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`;
  return new CapabilitiesError(
    'CAPS_FILE_UNREADABLE',
    `the capability file ${file} does not exist${where}; \`npx nest-capabilities init ${argument}\` writes a commented starter`,
    { cause },
  );
}

function asFileProblem(file: string, error: unknown): CapabilitiesError {
  if (error instanceof CapabilitiesError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new CapabilitiesError('CAPS_FILE_UNREADABLE', `cannot use the capability file ${file}: ${reason}`, { cause: error });
}
