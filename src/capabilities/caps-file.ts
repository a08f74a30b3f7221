import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { CapabilityGraphError, CapsFileError, type CapabilitiesErrorCode, type SourcePosition } from '../errors';
import { ADMIN_CAPABILITY, CapabilityGraph, type CapabilityDefinitions } from './capability-graph';
import { CapabilityPolicy, type UserGrants } from './capability-policy';
import { capabilityNameProblem, describeType } from './capability-name';
import { canonicalizeEmail, isServiceAccount } from './email';
import { identityKeyProblem, type IdentityLinks } from './identity-link';
import { scopeProblem } from './scope';
import type { ScopedGrants } from './scoped-grants';

/** The top-level keys of caps.yaml; any other key is a mistake worth reporting. */
const KNOWN_KEYS = new Set(['capabilities', 'auto_admin', 'default', 'guest', 'users', 'pinned', 'scopes', 'identities']);

/**
 * Parses and validates the text of a caps.yaml file into a policy. Every problem is
 * a `CapsFileError` naming the file, the line and the offending name.
 *
 * @example
 * const policy = parseCapsFile(readFileSync('caps.yaml', 'utf8'), 'caps.yaml');
 * policy.effective('bob@example.com').has('read');
 */
export function parseCapsFile(text: string, file: string): CapabilityPolicy {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const at = (node: Node | null | undefined): SourcePosition | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const fail = (code: CapabilitiesErrorCode, detail: string, node?: Node | null, offender?: string): never => {
    throw new CapsFileError(code, detail, { file, position: at(node), offender });
  };

  const syntaxError = document.errors[0];
  if (syntaxError) {
    // With prettyErrors off the parser leaves `linePos` unset; its offset is always there.
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    throw new CapsFileError('CAPS_YAML_SYNTAX', `malformed YAML: ${firstLine(syntaxError.message)}`, {
      file,
      position: { line, column: col },
    });
  }
  const root = document.contents;
  if (!isMap(root)) {
    return fail('CAPS_SCHEMA', `the file must be a mapping with a "capabilities" key, got ${describeNode(root)}`, root);
  }
  // yaml's own duplicate-key check compares every key with every earlier one, which
  // takes minutes on 100,000 users; duplicates are found here in linear time instead.
  const seenKeys = new Set<string>();
  for (const pair of root.items) {
    const key = keyOf(pair);
    if (key !== undefined && seenKeys.has(key)) fail('CAPS_SCHEMA', `key ${JSON.stringify(key)} appears twice`, pair.key, key);
    if (key !== undefined) seenKeys.add(key);
    if (key === undefined || !KNOWN_KEYS.has(key)) {
      fail('CAPS_SCHEMA', `unknown key ${JSON.stringify(key ?? String(pair.key))} (expected one of ${[...KNOWN_KEYS].join(', ')})`, pair.key, key);
    }
  }

  const capabilitiesNode = root.get('capabilities', true) as Node | undefined;
  if (capabilitiesNode === undefined) fail('CAPS_SCHEMA', 'missing "capabilities": the capability graph', root);
  const definitionsPositions = new Map<string, Node>();
  const definitions = new Map<string, readonly string[]>();
  for (const pair of mappingPairs(capabilitiesNode!, '"capabilities"', fail)) {
    const name = capabilityKey(pair, 'capabilities', fail);
    if (definitions.has(name)) fail('CAPS_SCHEMA', `capability ${JSON.stringify(name)} is defined twice`, pair.key as Node, name);
    definitionsPositions.set(name, pair.key as Node);
    definitions.set(name, nameList(pair.value as Node | null, `capability ${JSON.stringify(name)}`, fail));
  }

  const autoAdminNode = root.get('auto_admin', true) as Node | undefined;
  let autoAdmin = false;
  if (autoAdminNode !== undefined) {
    if (!isScalar(autoAdminNode) || typeof autoAdminNode.value !== 'boolean') {
      fail('CAPS_SCHEMA', `"auto_admin" must be true or false, got ${describeNode(autoAdminNode)}`, autoAdminNode);
    }
    autoAdmin = (autoAdminNode as { value: boolean }).value;
  }
  // Two definitions of one name: the file's would be silently replaced by auto_admin's.
  if (autoAdmin && definitions.has(ADMIN_CAPABILITY)) {
    fail(
      'CAPS_SCHEMA',
      `capability "${ADMIN_CAPABILITY}" is defined here, but auto_admin: true adds its own "${ADMIN_CAPABILITY}" implying every capability; ` +
        `remove this entry, or set auto_admin: false to define ${ADMIN_CAPABILITY} yourself`,
      definitionsPositions.get(ADMIN_CAPABILITY),
      ADMIN_CAPABILITY,
    );
  }

  const graph = buildGraph(definitions, autoAdmin, (name) => definitionsPositions.get(name), file, at);
  const assertDefined = (names: readonly string[], node: Node | null | undefined, owner: string): void => {
    for (const name of names) {
      if (!graph.has(name)) {
        fail('CAPS_UNDEFINED', `${owner} refers to undefined capability ${JSON.stringify(name)}`, findItem(node, name) ?? node, name);
      }
    }
  };

  const defaults = optionalNameList(root, 'default', fail);
  assertDefined(defaults.names, defaults.node, '"default"');
  const guest = optionalNameList(root, 'guest', fail);
  assertDefined(guest.names, guest.node, '"guest"');

  // `section` names the block in messages (`"users"`, `scope "shop:paris"`); `where` follows a user's name.
  const readGrantMap = (node: Node | null | undefined, section: string, where: string): UserGrants => {
    const grants = new Map<string, readonly string[]>();
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return grants;
    for (const pair of mappingPairs(node, section, fail)) {
      const rawKey = isScalar(pair.key) ? pair.key.value : pair.key;
      const canonical = canonicalizeEmail(rawKey);
      if ('problem' in canonical) fail('INVALID_EMAIL', `in ${section}: ${canonical.problem}`, pair.key as Node, String(rawKey));
      const email = (canonical as { email: string }).email;
      if (grants.has(email)) fail('CAPS_DUPLICATE_USER', `in ${section}: ${JSON.stringify(email)} is listed twice`, pair.key as Node, email);
      const owner = `user ${JSON.stringify(email)}${where}`;
      const names = nameList(pair.value as Node | null, owner, fail);
      assertDefined(names, pair.value as Node | null, owner);
      grants.set(email, names);
    }
    return grants;
  };
  const readGrants = (key: 'users' | 'pinned'): UserGrants => readGrantMap(root.get(key, true), `"${key}"`, '');

  const readScopes = (): ScopedGrants => {
    const scopes = new Map<string, UserGrants>();
    const node = root.get('scopes', true) as Node | undefined;
    if (node === undefined) return scopes;
    for (const pair of mappingPairs(node, '"scopes"', fail)) {
      const scope = isScalar(pair.key) ? pair.key.value : pair.key;
      const problem = scopeProblem(scope);
      if (problem !== undefined) fail('SCOPE_INVALID', `in "scopes": ${problem}`, pair.key as Node, String(scope));
      const name = scope as string;
      if (scopes.has(name)) fail('CAPS_SCHEMA', `in "scopes": ${JSON.stringify(name)} is listed twice`, pair.key as Node, name);
      const grants = readGrantMap(pair.value as Node | null, `scope ${JSON.stringify(name)}`, ` at ${JSON.stringify(name)}`);
      // An account with nothing at a scope, or a scope with no account, grants nothing: keep none.
      const granted = new Map([...grants].filter(([, names]) => names.length > 0));
      if (granted.size > 0) scopes.set(name, granted);
    }
    return scopes;
  };

  return new CapabilityPolicy({
    graph,
    defaults: defaults.names,
    guest: guest.names,
    users: readGrants('users'),
    pinned: readGrants('pinned'),
    scopes: readScopes(),
    identities: readIdentities(root, fail),
  });
}

/** `identities:`: `"<provider>:<subject>": email`, the accounts linked provider identities sign in to. */
function readIdentities(root: YAMLMap, fail: Fail): IdentityLinks {
  const node = root.get('identities', true) as Node | undefined;
  const links = new Map<string, string>();
  if (node === undefined) return links;
  for (const pair of mappingPairs(node, '"identities"', fail)) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    const problem = identityKeyProblem(key);
    if (problem !== undefined) fail('CAPS_SCHEMA', `in "identities": ${problem}`, pair.key as Node, String(key));
    if (links.has(key as string)) fail('CAPS_SCHEMA', `in "identities": ${JSON.stringify(key)} is listed twice`, pair.key as Node, key as string);
    const value = isScalar(pair.value) ? pair.value.value : pair.value;
    const canonical = canonicalizeEmail(value);
    if ('problem' in canonical) fail('INVALID_EMAIL', `in "identities": ${canonical.problem}`, pair.value as Node, String(value));
    const email = (canonical).email;
    if (isServiceAccount(email)) {
      fail('CAPS_SCHEMA', `in "identities": ${JSON.stringify(key)} cannot sign in to the service account ${JSON.stringify(email)}`, pair.value as Node, email);
    }
    links.set(key as string, email);
  }
  return links;
}

type Fail = (code: CapabilitiesErrorCode, detail: string, node?: Node | null, offender?: string) => never;

function buildGraph(
  definitions: CapabilityDefinitions,
  autoAdmin: boolean,
  definitionNode: (name: string) => Node | undefined,
  file: string,
  at: (node: Node | null | undefined) => SourcePosition | undefined,
): CapabilityGraph {
  try {
    return CapabilityGraph.build(definitions, { autoAdmin });
  } catch (error) {
    if (!(error instanceof CapabilityGraphError)) throw error;
    // A cycle is reported at its first capability, an undefined name at the capability that implies it.
    const owner = error.code === 'CAPS_CYCLE' ? error.capability : error.path[0];
    throw new CapsFileError(error.code, error.message, {
      file,
      position: at(definitionNode(owner ?? error.capability)),
      offender: error.capability,
    });
  }
}

// `section` is the block as messages name it: `"users"`, `scope "shop:paris"`.
function mappingPairs(node: Node, section: string, fail: Fail): Pair[] {
  if (isScalar(node) && node.value === null) return [];
  if (!isMap(node)) return fail('CAPS_SCHEMA', `${section} must be a mapping, got ${describeNode(node)}`, node);
  return (node).items;
}

function capabilityKey(pair: Pair, section: string, fail: Fail): string {
  const key = isScalar(pair.key) ? pair.key.value : pair.key;
  const problem = isScalar(pair.key) ? capabilityNameProblem(key) : notAString(pair.key);
  if (problem !== undefined) fail('INVALID_CAPABILITY_NAME', `in "${section}": ${problem}`, pair.key as Node, String(key));
  return key as string;
}

function nameList(node: Node | null | undefined, owner: string, fail: Fail): string[] {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) return fail('CAPS_SCHEMA', `${owner} must be a list of capability names, got ${describeNode(node)}`, node);
  const names: string[] = [];
  for (const item of node.items as Node[]) {
    const value = isScalar(item) ? item.value : item;
    const problem = isScalar(item) ? capabilityNameProblem(value) : notAString(item);
    if (problem !== undefined) fail('INVALID_CAPABILITY_NAME', `${owner}: ${problem}`, item, String(value));
    if (!names.includes(value as string)) names.push(value as string);
  }
  return names;
}

function optionalNameList(root: YAMLMap, key: string, fail: Fail): { names: string[]; node: Node | undefined } {
  const node = root.get(key, true) as Node | undefined;
  return { names: nameList(node, `"${key}"`, fail), node };
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

function findItem(node: Node | null | undefined, name: string): Node | undefined {
  if (!isSeq(node)) return undefined;
  return (node.items as Node[]).find((item) => isScalar(item) && item.value === name);
}

// A YAML node is an object whatever it holds, so describe it as a node, not as a value.
function notAString(node: unknown): string {
  return `a capability name must be a string, got ${describeNode(node)}`;
}

function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isAlias(node)) return 'an alias (anchors and aliases are not supported)';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return describeType(node.value);
  return 'an unsupported value';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
