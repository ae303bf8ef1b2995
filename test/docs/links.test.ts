/**
 * Every relative link in the README and docs/ leads to a file the repository
 * has (the first build's docs cited a DESIGN.md it did not have), and no page
 * cites DESIGN.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pages = ['README.md', 'bench/README.md', 'examples/release-repo/README.md', 'src/lineage/README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

test.each(pages)('%s: relative links resolve, and DESIGN.md is not cited', (page) => {
  const text = readFileSync(join(root, page), 'utf8');
  const broken: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1].split('#')[0];
    if (target === '' || /^[a-z]+:/.test(target)) continue;
    if (!existsSync(join(root, dirname(page), target))) broken.push(m[1]);
  }
  expect(broken).toEqual([]);
  expect(text).not.toMatch(/DESIGN\.md/);
});

test('docs/design.md exists and has the sections code comments cite (§1 to §7)', () => {
  const text = readFileSync(join(root, 'docs', 'design.md'), 'utf8');
  for (let i = 1; i <= 7; i++) expect(text).toMatch(new RegExp(`^## ${i}\\. `, 'm'));
});
