import { CapsFileMonitor } from '../stores/file/caps-file-monitor';
import { EXIT_OK, type CliIo } from './cli-io';

/** `validate [FILE]`: the file's problems, read and worded as the app's start-up reads and words them. */
export async function validateCommand(file: string, io: CliIo): Promise<number> {
  const { policy } = await new CapsFileMonitor(file).load();
  const capabilities = Object.keys(policy.graphAsObject()).length;
  const users = Object.keys(policy.usersAsObject()).length;
  io.out(`${file}: valid (${capabilities} capabilities, ${users} accounts)`);
  return EXIT_OK;
}
