import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './readme-snippets';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  keywords?: string[];
  homepage?: string;
  repository?: { type: string; url: string };
  bugs?: { url: string };
};
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('where the package comes from', () => {
  it('names its repository, home page, issue tracker and keywords, all on one GitHub repository', () => {
    const repository = /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+)\.git$/.exec(manifest.repository?.url ?? '')?.[1];
    assert.ok(repository !== undefined, `a GitHub repository URL, got ${JSON.stringify(manifest.repository)}`);
    assert.equal(manifest.repository?.type, 'git');
    assert.equal(manifest.homepage, `${repository}#readme`);
    assert.equal(manifest.bugs?.url, `${repository}/issues`);
    assert.ok(manifest.keywords?.includes('nestjs'), 'found by a search for nestjs');
    assert.ok(readme.includes(`git clone ${repository}.git`), 'the README clones that repository');
  });

  it('is installed, per the README, from the tarball npm pack writes for this version, not from the registry', () => {
    const tarball = `${manifest.name}-${manifest.version}.tgz`;
    const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => (block[1] ?? '').split('\n'));
    assert.ok(!commands.some((line) => /^npm install nest-capabilities\b/.test(line.trim())), 'no command installs it from the registry');
    assert.match(readme, /not on the npm registry yet/);
    assert.ok(commands.some((line) => /^npm ci && npm pack\b/.test(line.trim())), 'the checkout is packed');
    assert.ok(commands.some((line) => line.trim().startsWith(`npm install ../nest-capabilities/${tarball}`)), `${tarball} is installed`);
  });
});
