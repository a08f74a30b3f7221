import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { runPolicyTests, type PolicyTestFailure } from '../capabilities/policy-tests';
import { CapabilitiesError } from '../errors';
import { CapsFileMonitor } from '../stores/file/caps-file-monitor';
import { EXIT_INVALID_FILE, EXIT_OK, EXIT_TEST_FAILED, UsageError, type CliIo } from './cli-io';
import { explanationLines } from './explanation-lines';
import { assertTestedCapabilitiesDefined, readPolicyTestFile } from './policy-test-file';

/**
 * `test FILE...`: runs the policy tests of each file against its capability file (its
 * `caps:`, relative to the test file, else `--caps`, else `$CAPS_FILE`, else caps.yaml).
 * Every assertion is checked. Exit 0 all pass, 4 an assertion failed, 3 a capability
 * or test file is invalid; 3 wins over 4.
 */
export async function policyTestCommand(files: readonly string[], capsOption: string, io: CliIo): Promise<number> {
  if (files.length === 0) throw new UsageError('test needs at least one FILE', 'test');
  let invalid = false;
  let assertions = 0;
  let failed = 0;
  const policies = new Map<string, Promise<CapabilityPolicy>>();
  for (const file of files) {
    try {
      const suite = readPolicyTestFile(await readFile(file, 'utf8'), file);
      const capsFile = suite.caps === undefined ? capsOption : resolve(dirname(file), suite.caps);
      let loading = policies.get(capsFile);
      if (loading === undefined) policies.set(capsFile, (loading = new CapsFileMonitor(capsFile).load().then(({ policy }) => policy)));
      const policy = await loading;
      assertTestedCapabilitiesDefined(suite, policy.graph);
      const run = runPolicyTests(policy, suite.tests);
      assertions += run.assertions;
      failed += run.failures.length;
      for (const failure of run.failures) for (const line of failureLines(file, failure)) io.out(line);
    } catch (error) {
      invalid = true;
      io.err(`error: ${describeProblem(error, file)}`);
    }
  }
  io.out(`${assertions} assertions, ${failed} failed${invalid ? ', and invalid files (see above)' : ''}`);
  if (invalid) return EXIT_INVALID_FILE;
  return failed > 0 ? EXIT_TEST_FAILED : EXIT_OK;
}

function failureLines(file: string, failure: PolicyTestFailure): string[] {
  const who = failure.email ?? 'a guest';
  const where = failure.scope === null ? '' : ` at ${failure.scope}`;
  const is = failure.explanation.allowed ? 'allowed' : 'denied';
  return [`FAIL ${file}: ${JSON.stringify(failure.test)}: ${who}${where}: expected ${failure.capability} ${failure.expected === 'allow' ? 'allowed' : 'denied'}, but it is ${is}`, ...explanationLines(failure.explanation, failure.capability)];
}

function describeProblem(error: unknown, file: string): string {
  if (error instanceof CapabilitiesError) return `${error.message} (${error.code})`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return `${file}: cannot be read (${code})`;
  throw error;
}
