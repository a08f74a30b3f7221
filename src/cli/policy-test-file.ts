import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import type { CapabilityGraph } from '../capabilities/capability-graph';
import { canonicalizeEmail } from '../capabilities/email';
import type { PolicyTestCase } from '../capabilities/policy-tests';
import { scopeProblem } from '../capabilities/scope';
import { CapsFileError, type SourcePosition } from '../errors';

/** A policy test file read: the caps file it names (as written), and its tests with where each capability was written. */
export interface PolicyTestFile {
  readonly file: string;
  readonly caps: string | undefined;
  readonly tests: readonly PolicyTestCase[];
  /** Every capability named in `allow` or `deny`, with its position, to check against the graph. */
  readonly named: readonly { readonly name: string; readonly position: SourcePosition | undefined }[];
}

const FILE_KEYS = new Set(['caps', 'tests']);
const TEST_KEYS = new Set(['name', 'email', 'guest', 'scope', 'allow', 'deny']);

/**
 * Reads the text of a policy test file. Every problem is a `POLICY_TEST_INVALID` error
 * naming the file and the line.
 *
 * @example
 * const suite = readPolicyTestFile('tests:\n  - name: t\n    guest: true\n    deny: [write]\n', 'caps.test.yaml');
 */
export function readPolicyTestFile(text: string, file: string): PolicyTestFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined): SourcePosition | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const fail = (detail: string, node?: Node | null, offender?: string): never => {
    throw new CapsFileError('POLICY_TEST_INVALID', detail, { file, position: at(node), offender });
  };
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    throw new CapsFileError('POLICY_TEST_INVALID', `malformed YAML: ${syntaxError.message.split('\n')[0]}`, { file, position: { line, column: col } });
  }
  const root = document.contents;
  if (!isMap(root)) return fail('a policy test file must be a mapping with a "tests" list', root);
  assertKnownKeys(root, FILE_KEYS, 'the file', fail);
  const capsNode = root.get('caps', true) as Node | undefined;
  if (capsNode !== undefined && !(isScalar(capsNode) && typeof capsNode.value === 'string' && capsNode.value.length > 0)) fail('"caps" must be the path of a capability file', capsNode);
  const testsNode = root.get('tests', true) as Node | undefined;
  if (!isSeq(testsNode) || testsNode.items.length === 0) return fail('"tests" must be a list of at least one test', testsNode ?? root);
  const named: { name: string; position: SourcePosition | undefined }[] = [];
  const tests = (testsNode.items as Node[]).map((node): PolicyTestCase => {
    if (!isMap(node)) return fail('each test must be a mapping with a name, who asks, and allow or deny', node);
    assertKnownKeys(node, TEST_KEYS, 'a test', fail);
    const name = stringAt(node, 'name', fail);
    if (name === undefined) return fail('a test needs a "name"', node);
    const emailNode = node.get('email', true) as Node | undefined;
    const guestNode = node.get('guest', true) as Node | undefined;
    if ((emailNode === undefined) === (guestNode === undefined)) fail(`test ${JSON.stringify(name)} needs exactly one of "email" and "guest: true"`, node);
    if (guestNode !== undefined && !(isScalar(guestNode) && guestNode.value === true)) fail(`test ${JSON.stringify(name)}: "guest" can only be true`, guestNode);
    let email: string | null = null;
    if (emailNode !== undefined) {
      const result = canonicalizeEmail(isScalar(emailNode) ? emailNode.value : undefined);
      if ('problem' in result) fail(`test ${JSON.stringify(name)}: ${result.problem}`, emailNode);
      else email = result.email;
    }
    const scope = stringAt(node, 'scope', fail);
    if (scope !== undefined) {
      const problem = scopeProblem(scope);
      if (problem !== undefined) fail(`test ${JSON.stringify(name)}: ${problem}`, node.get('scope', true));
    }
    const allow = namesAt(node, 'allow', name, named, at, fail);
    const deny = namesAt(node, 'deny', name, named, at, fail);
    if (allow.length === 0 && deny.length === 0) fail(`test ${JSON.stringify(name)} asserts nothing: give "allow" or "deny"`, node);
    return { name, email, scope, allow, deny };
  });
  return { file, caps: capsNode === undefined ? undefined : ((capsNode as { value: string }).value), tests, named };
}

/**
 * Throws `POLICY_TEST_INVALID` at the first capability `suite` names that `graph` lacks:
 * a test of a capability that does not exist would pass or fail for the wrong reason.
 */
export function assertTestedCapabilitiesDefined(suite: PolicyTestFile, graph: CapabilityGraph): void {
  const missing = suite.named.find(({ name }) => !graph.has(name));
  if (missing !== undefined) {
    throw new CapsFileError('POLICY_TEST_INVALID', `unknown capability ${JSON.stringify(missing.name)}: the capability file does not define it`, { file: suite.file, position: missing.position, offender: missing.name });
  }
}

type Fail = (detail: string, node?: Node | null, offender?: string) => never;

function assertKnownKeys(map: YAMLMap, known: ReadonlySet<string>, owner: string, fail: Fail): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' || !known.has(key)) fail(`unknown key ${JSON.stringify(String(key))} in ${owner} (expected one of ${[...known].join(', ')})`, pair.key as Node, String(key));
  }
}

function stringAt(map: YAMLMap, key: string, fail: Fail): string | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) return undefined;
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.length === 0) return fail(`"${key}" must be a non-empty string`, node);
  return node.value;
}

function namesAt(map: YAMLMap, key: 'allow' | 'deny', test: string, named: { name: string; position: SourcePosition | undefined }[], at: (node: Node) => SourcePosition | undefined, fail: Fail): string[] {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) return [];
  if (!isSeq(node)) return fail(`test ${JSON.stringify(test)}: "${key}" must be a list of capability names`, node);
  return (node.items as Node[]).map((item) => {
    if (!isScalar(item) || typeof item.value !== 'string') return fail(`test ${JSON.stringify(test)}: "${key}" must list capability names`, item);
    named.push({ name: item.value, position: at(item) });
    return item.value;
  });
}
