import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** File -> the files it imports, each a path relative to the root the graph was read from. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Every `.ts` file under `folder`. */
export function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The root-relative targets of a file's relative imports, exports-from and dynamic imports
 * (type-only ones too: they tie the files together as much), resolved to the file they
 * load: `./x` to `x.ts` or `x/index.ts`.
 */
export function importedPaths(root: string, file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), match[1]!);
    const loaded = [`${target}.ts`, join(target, 'index.ts')].find((candidate) => existsSync(candidate)) ?? target;
    found.push(relative(root, loaded).replaceAll('\\', '/'));
  }
  return found;
}

/** The import graph of every `.ts` file under `root`. */
export function importGraph(root: string): ImportGraph {
  return new Map(sourceFiles(root).map((file) => [relative(root, file).replaceAll('\\', '/'), importedPaths(root, file)]));
}

/** The top-level folder (`nest/`) or file (`errors.ts`) of `root` that holds `path`. */
export function owner(path: string): string {
  return path.includes('/') ? `${path.split('/')[0]!}/` : path.endsWith('.ts') ? path : `${path}.ts`;
}

/** Each pair of top-level folders or files that import each other, as `a <-> b` with a before b. */
export function mutualOwners(graph: ImportGraph): string[] {
  const imports = new Set<string>();
  for (const [file, targets] of graph) {
    for (const target of targets) if (owner(file) !== owner(target)) imports.add(`${owner(file)} -> ${owner(target)}`);
  }
  return [...imports]
    .map((edge) => edge.split(' -> ') as [string, string])
    .filter(([from, to]) => from < to && imports.has(`${to} -> ${from}`))
    .map(([from, to]) => `${from} <-> ${to}`)
    .sort();
}

/**
 * The import circles between files, each as the files along it, found by a depth-first walk:
 * an import of a file still on the walk's path closes a circle.
 */
export function fileCycles(graph: ImportGraph): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    path.push(file);
    onPath.add(file);
    for (const target of graph.get(file) ?? []) {
      if (onPath.has(target)) cycles.push(path.slice(path.indexOf(target)));
      else if (!done.has(target) && graph.has(target)) visit(target);
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) if (!done.has(file)) visit(file);
  return cycles;
}
