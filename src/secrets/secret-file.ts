import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';

/** Largest secret file read, in bytes: a secret is a line, not a document. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a secret from a file, as Docker and Kubernetes secrets mount them: the
 * trailing newline (`\n` or `\r\n`) is trimmed. A missing, unreadable, oversized or
 * empty file is a `CONFIG_INVALID` error that names `name` but neither the path nor
 * the content, so neither reaches a log.
 *
 * @example
 * AuthModule.forRoot({ secret: readSecretFile('/run/secrets/auth_secret', 'AUTH_SECRET_FILE'), baseUrl: 'https://app.example.com' })
 */
export function readSecretFile(path: string, name: string): string {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${name}: the secret file cannot be read (${reason})`);
  }
  if (content.length > MAX_SECRET_FILE_BYTES) throw new ConfigError(`${name}: the secret file is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
  const secret = content.toString('utf8').replace(/\r?\n$/, '');
  if (secret.trim() === '') throw new ConfigError(`${name}: the secret file is empty`);
  return secret;
}

/**
 * The secret `name` from an environment: the variable itself, or the file named by
 * `<name>_FILE`. Setting both is a `CONFIG_INVALID` error (which one was meant is
 * unknowable); neither gives `undefined`.
 *
 * @example
 * const secret = secretFromEnvironment(process.env, 'AUTH_SECRET'); // AUTH_SECRET or AUTH_SECRET_FILE
 */
export function secretFromEnvironment(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name] ?? '';
  const file = env[`${name}_FILE`] ?? '';
  if (direct !== '' && file !== '') throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
  if (file !== '') return readSecretFile(file, `${name}_FILE`);
  return direct === '' ? undefined : direct;
}
