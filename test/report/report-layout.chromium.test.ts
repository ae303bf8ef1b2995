/**
 * What a reader sees in the HTML report, measured in a real headless
 * Chromium: every lineage-graph label stays inside its box, whatever the
 * path, dataset name or digest (the first build cut labels by character
 * count, and wide glyphs ran out of the box), and the controls table shows
 * code as code, never literal backticks.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useChromium } from '../helpers/chromium.js';
import { buildReport, renderHtml } from '../../src/report/index.js';
import { entriesOf, release, sampleEntries, verification, d } from './sample-log.js';

const chrome = useChromium('mrg-report-layout-');

async function openReport(name: string, html: string) {
  const file = join(chrome.dir(), name);
  writeFileSync(file, html);
  const page = await chrome.browser().newPage();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return page;
}

interface Overflow { label: string; text: { x: number; width: number }; box: { x: number; width: number } }

test('every lineage-graph label fits inside its node, for wide, long and plain labels alike', async () => {
  const wide = 'MODELS/WWWWWWWWWWWWWWWWWWWWWWWW/MMMMMMMMMMMMMMMMMMMM.PT';
  const long = `models/${'credit-risk-'.repeat(8)}/model-with-a-long-name.onnx`;
  const entries = [
    ...sampleEntries(),
    ...entriesOf([
      ['2026-03-07T09:00:00.000Z', release(d('a7'), d('b7'), wide)],
      ['2026-03-08T09:00:00.000Z', release(d('a8'), d('b8'), long)],
    ]).map((e, i) => ({ ...e, seq: 100 + i })),
  ];
  const model = buildReport(entries, verification(entries), {});
  const page = await openReport('layout.html', renderHtml(model));
  const nodes = await page.locator('svg.lineage-graph g.node').count();
  expect(nodes).toBeGreaterThan(10);
  const overflows = await page.evaluate(() => {
    const out: Overflow[] = [];
    const doc = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const g of Array.from(doc.document.querySelectorAll('svg.lineage-graph g.node'))) {
      const rect = g.querySelector('rect').getBBox();
      for (const t of Array.from(g.querySelectorAll('text')) as any[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
        const b = t.getBBox();
        if (b.x < rect.x + 4 || b.x + b.width > rect.x + rect.width - 4) {
          out.push({ label: t.textContent, text: { x: b.x, width: b.width }, box: { x: rect.x, width: rect.width } });
        }
      }
    }
    return out;
  });
  expect(overflows).toEqual([]);
  // The full text stays in the node's title.
  expect(await page.locator('svg.lineage-graph g.node > title').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(wide), expect.stringContaining(long)]));
  await page.screenshot({ path: join(tmpdir(), 'model-release-gate-report-layout.png'), fullPage: true });
  await page.close();
});

test('the controls table shows code as <code>, never literal backticks', async () => {
  const entries = sampleEntries();
  const page = await openReport('controls.html', renderHtml(buildReport(entries, verification(entries), {})));
  const cells = await page.locator('#controls td').allInnerTexts();
  expect(cells.length).toBeGreaterThan(10);
  expect(cells.filter((c) => c.includes('`'))).toEqual([]);
  expect(await page.locator('#controls td code').allInnerTexts()).toContain('model-gate lineage verify');
  await page.close();
});
