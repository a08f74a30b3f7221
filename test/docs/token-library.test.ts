import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './readme-snippets';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The README's "Using a token" section. */
function usingATokenSection(): string {
  const start = readme.indexOf('\n### Using a token\n');
  assert.ok(start >= 0, 'the README has a "Using a token" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('what the README says tokens are made with', () => {
  const section = usingATokenSection();

  it('is the package the token code signs and verifies with', () => {
    const code = readFileSync(join(ROOT, 'src', 'tokens', 'bearer-tokens.ts'), 'utf8');
    const signer = /^import \{[^}]*\bsign\b[^}]*\bverify\b[^}]*\} from '([^']+)';$/m.exec(code)?.[1];
    assert.ok(signer !== undefined, 'bearer-tokens.ts imports sign and verify');
    assert.match(section, new RegExp(`signed and verified with \\[?\`${signer.replace(/[/.]/g, '\\$&')}\``));
  });

  it('names as what tokens go through or are made with only packages the module depends on at run time', () => {
    const named = [...section.matchAll(/\b(?:issued|signed|verified|made|minted)(?: and \w+)? (?:through|with|by) \[?`(@?[a-z0-9][\w./-]*)`/g)].map((match) => match[1]!);
    assert.ok(named.length > 0, 'the section names a package');
    assert.deepEqual(
      named.filter((name) => manifest.dependencies[name] === undefined),
      [],
    );
  });
});
