import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/** Every module specifier the compiled entry reaches, following its own relative imports. */
function reachableSpecifiers(entry: URL): string[] {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: URL): void => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (specifier.startsWith('.')) visit(new URL(specifier, file));
      else external.add(specifier);
    }
  };
  visit(entry);
  return [...external].sort();
}

describe('@unreel/provider-kit/simulator as built', () => {
  // Plugins ship their simulators and depend on this entry at run time, where no test tooling is installed.
  it('loads nothing but Node built-ins and its own files', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { default: string }>;
    };
    const entry = manifest.exports['./simulator']?.default;
    expect(entry).toBeDefined();
    const specifiers = reachableSpecifiers(new URL(`../${entry}`, import.meta.url));
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
  });
});
