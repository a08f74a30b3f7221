#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CapabilitiesError } from '../errors';
import { HELP } from './cli-help';
import { EXIT_REFUSED, EXIT_USAGE, EXIT_OK, UsageError, capsFileOf, type CliIo } from './cli-io';
import { auditCommand } from './audit.command';
import { deleteCommand } from './delete.command';
import { editCommand, listCommand } from './edit.command';
import { explainCommand } from './explain.command';
import { initCommand } from './init.command';
import { keysCommand } from './keys.command';
import { clientsCommand } from './clients.command';
import { planCommand } from './plan.command';
import { policyTestCommand } from './policy-test.command';
import { storeChoiceOf } from './store-choice';
import { printLines, terminalIo, terminalText } from './terminal-text';
import { tokenCommand } from './token.command';
import { exportCommand, importCommand } from './transfer.command';
import { validateCommand } from './validate.command';

const OPTIONS = {
  caps: { type: 'string' },
  user: { type: 'string' },
  ttl: { type: 'string' },
  json: { type: 'boolean' },
  note: { type: 'string' },
  email: { type: 'string' },
  limit: { type: 'string' },
  redis: { type: 'string' },
  prefix: { type: 'string' },
  replace: { type: 'boolean' },
  scope: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes; any other is a usage error. */
const ACCEPTED: Readonly<Record<string, readonly string[]>> = {
  init: ['caps'],
  validate: ['caps'],
  token: ['caps', 'user', 'ttl', 'json', 'redis', 'prefix', 'scope'],
  grant: ['caps', 'redis', 'prefix', 'scope'],
  revoke: ['caps', 'redis', 'prefix', 'scope'],
  delete: ['caps', 'redis', 'prefix'],
  list: ['caps', 'json', 'redis', 'prefix', 'scope'],
  export: ['caps', 'redis', 'prefix'],
  import: ['caps', 'redis', 'prefix', 'replace'],
  keys: ['caps', 'ttl', 'note', 'json', 'redis', 'prefix', 'scope'],
  clients: ['caps', 'name', 'json', 'redis', 'prefix', 'scope'],
  audit: ['caps', 'email', 'limit', 'json', 'redis', 'prefix'],
  explain: ['caps', 'scope', 'json', 'redis', 'prefix'],
  plan: ['caps', 'json', 'redis', 'prefix'],
  test: ['caps'],
};

/**
 * Runs `nest-capabilities <argv>` and resolves with its exit status. Every line it
 * prints goes through `terminalText`: control characters are shown escaped.
 *
 * @example
 * process.exitCode = await runCli(['validate', 'caps.yaml'], { env: process.env, out: console.log, err: console.error });
 */
export async function runCli(argv: readonly string[], given: CliIo): Promise<number> {
  const io = terminalIo(given);
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' && rest[0] !== undefined && HELP[rest[0]] !== undefined ? rest[0] : 'main';
    if (command === undefined) {
      printLines(io, HELP[topic]!, 'err');
      return EXIT_USAGE;
    }
    printLines(io, HELP[topic]!);
    return EXIT_OK;
  }
  try {
    if (ACCEPTED[command] === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const { values, positionals } = parseCommandLine(command, rest);
    if (values.help === true) {
      printLines(io, HELP[command]!);
      return EXIT_OK;
    }
    const caps = capsFileOf(values.caps, io.env);
    const choice = storeChoiceOf(caps, values, io.env);
    switch (command) {
      case 'init':
        if (positionals.length > 1) throw new UsageError('init takes at most one FILE', command);
        return await initCommand(positionals[0] ?? caps, io);
      case 'validate':
        if (positionals.length > 1) throw new UsageError('validate takes at most one FILE', command);
        return await validateCommand(positionals[0] ?? caps, io);
      case 'token':
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
        return await tokenCommand({ user: values.user, ttl: values.ttl, scope: values.scope, choice, json: values.json === true }, io);
      case 'grant':
      case 'revoke':
        return await editCommand(command, positionals, choice, io, values.scope);
      case 'delete':
        return await deleteCommand(positionals, choice, io);
      case 'keys':
        return await keysCommand(positionals, { choice, ttl: values.ttl, note: values.note, scope: values.scope, json: values.json === true }, io);
      case 'clients':
        return await clientsCommand(positionals, { choice, name: values.name, scope: values.scope, json: values.json === true }, io);
      case 'audit':
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
        return await auditCommand({ choice, email: values.email, limit: values.limit, json: values.json === true }, io);
      case 'export':
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
        return await exportCommand(choice, io);
      case 'import':
        return await importCommand(positionals, choice, values.replace === true, io);
      case 'explain':
        return await explainCommand(positionals, { choice, scope: values.scope, json: values.json === true }, io);
      case 'plan':
        return await planCommand(positionals, { choice, json: values.json === true }, io);
      case 'test':
        return await policyTestCommand(positionals, caps, io);
      default:
        return await listCommand(positionals, choice, values.json === true, io, values.scope);
    }
  } catch (error) {
    return report(error, io);
  }
}

function parseCommandLine(command: string, args: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  for (const name of Object.keys(parsed.values)) {
    if (name !== 'help' && !ACCEPTED[command]!.includes(name)) throw new UsageError(`${command} takes no --${name}`, command);
  }
  return parsed;
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}`);
    io.err(`Run "nest-capabilities ${error.command ?? ''} --help" for usage.`.replace('  ', ' '));
    return EXIT_USAGE;
  }
  if (error instanceof CapabilitiesError) {
    // The code last, so a script can match it while the line still starts with the file.
    io.err(`error: ${error.message} (${error.code})`);
    return EXIT_REFUSED;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
    io.err(`error: ${(error as Error).message} (${code})`);
    return EXIT_REFUSED;
  }
  throw error;
}

if (require.main === module) {
  runCli(process.argv.slice(2), { env: process.env, out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }).then(
    (status) => (process.exitCode = status),
    (error: unknown) => {
      process.stderr.write(`nest-capabilities: unexpected failure: ${terminalText(error instanceof Error ? error.message : String(error))}\n`);
      process.exitCode = 70;
    },
  );
}
