import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CapabilitiesError } from '../errors';
import { EXIT_OK, type CliIo } from './cli-io';

/** What `init` writes: a small, valid graph with every key explained where it stands. */
export const STARTER_CAPS = `# Who may do what: the capability file of nest-capabilities.
# Checked when the app starts (and by \`npx nest-capabilities validate\`); edits apply
# while it runs, within about two seconds.

# The graph: each capability and the capabilities it implies.
capabilities:
  read: []
  write: [read]            # whoever may write may also read
  user_management: []      # manage others' capabilities, mint service tokens

# Adds \`admin\`, which implies every capability above and any added later.
# While this is true, do not define \`admin\` yourself.
auto_admin: true

default: [read]            # granted to every signed-in user
guest: []                  # granted to callers who are not signed in

# Accounts: email -> the capabilities they hold. Service accounts (scripts, bots)
# end in @service and never sign in: they get service tokens.
users:
  admin@example.com: [admin]     # put your own address here
  writer@example.com: [write]
  # deploy@service: [write]

# Grants the management API can never remove; change them by editing this file.
# pinned:
#   ops@example.com: [admin]
`;

/** `init [FILE]`: writes the starter capability file, never over an existing one. */
export async function initCommand(file: string, io: CliIo): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, STARTER_CAPS, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EEXIST') throw error;
    throw new CapabilitiesError('CAPS_FILE_EXISTS', `${file} already exists: init never overwrites a file (edit it, or name another one)`, { cause: error });
  }
  io.out(`wrote ${file}: put your own address under users, then check it with: npx nest-capabilities validate ${file}`);
  return EXIT_OK;
}
