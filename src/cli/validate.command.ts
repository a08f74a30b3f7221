import { readFile } from 'node:fs/promises';
import { parseCapsFile } from '../capabilities/caps-file';
import { EXIT_OK, type CliIo } from './cli-io';

/** `validate [FILE]`: the file's problems, as the app's start-up reports them. */
export async function validateCommand(file: string, io: CliIo): Promise<number> {
  const text = await readFile(file, 'utf8');
  const policy = parseCapsFile(text, file);
  const capabilities = Object.keys(policy.graphAsObject()).length;
  const users = Object.keys(policy.usersAsObject()).length;
  io.out(`${file}: valid (${capabilities} capabilities, ${users} accounts)`);
  return EXIT_OK;
}
