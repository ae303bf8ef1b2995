/**
 * The HTML report in a real headless Chromium (Debian's package, driven by
 * playwright-core; scripts/ensure-chromium.sh installs it): it renders, the
 * lineage graph is there as SVG with its node labels, nothing is logged to
 * the console, and no request leaves the page but the file itself. One
 * browser for the file.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { useChromium } from '../helpers/chromium.js';
import { buildReport, mermaidGraph, renderHtml } from '../../src/report/index.js';
import { entriesOf, release, sampleEntries, verification, d } from './sample-log.js';

const chrome = useChromium('mrg-report-html-');

interface Loaded {
  page: Page;
  console: string[];
  errors: string[];
  requests: string[];
  url: string;
}

async function open(name: string, html: string): Promise<Loaded> {
  const file = join(chrome.dir(), name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await chrome.browser().newPage();
  const loaded: Loaded = { page, console: [], errors: [], requests: [], url };
  page.on('console', (m) => loaded.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => loaded.errors.push(e.message));
  page.on('request', (r) => loaded.requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return loaded;
}

describe('the HTML report in headless Chromium', () => {
  it('renders with its lineage graph (SVG with node labels), no console output, no request but the file', async () => {
    const entries = sampleEntries();
    const model = buildReport(entries, verification(entries), { generatedAt: '2026-03-31T12:00:00.000Z' });
    const { page, console, errors, requests, url } = await open('report.html', renderHtml(model));
    expect(errors).toEqual([]);
    expect(console).toEqual([]);
    expect(requests).toEqual([url]);

    expect(await page.title()).toBe('Model release compliance report: acme-bank/credit-models');
    expect(await page.locator('.banner.ok').innerText()).toContain('The audit log verified: intact');
    const svg = page.locator('#release-0 svg.lineage-graph');
    expect(await svg.count()).toBe(1);
    const box = await svg.boundingBox();
    expect(box && box.width > 400 && box.height > 100).toBe(true);
    const labels = await svg.locator('text.node-label').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['data/training', 'data/va…ldout.parquet', 'release-model #4242', 'models/…risk/model.pt', 'alice', 'bob', 'CHG0030001', 'production']));
    // Full labels are kept in each node's <title>.
    const titles = await svg.locator('g.node > title').allTextContents();
    expect(titles).toContain(`models/credit-risk/model.pt — ${'sha256:a1a1a1a1a1a1'}…`);
    expect(await svg.locator('path.edge').count()).toBeGreaterThanOrEqual(8);
    // Every edge ends on a node: the layout placed both ends.
    expect(await page.locator('svg path.edge[d*="NaN"]').count()).toBe(0);
    expect(await page.locator('#controls tbody tr').count()).toBe(6);

    const shot = join(tmpdir(), 'model-release-gate-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    await page.close();
  });

  it('a tampered log shows a red banner at the top, and markup from the log does not run', async () => {
    const evil = '<img src=x onerror=console.error(1)><script>console.error(2)</script>';
    const entries = entriesOf([['2026-03-02T09:00:00.000Z', release(d('a1'), d('b2'), `models/${evil}/model.pt`)]]);
    const model = buildReport(entries, verification(entries, false), {});
    const { page, console, errors, requests, url } = await open('tampered.html', renderHtml(model));
    expect(errors).toEqual([]);
    expect(console).toEqual([]);
    expect(requests).toEqual([url]);
    const banner = page.locator('#tamper-banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.innerText()).toContain('WARNING: the audit log did NOT verify');
    const color = await banner.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    expect(color).toBe('rgb(180, 35, 24)');
    const bannerBox = await banner.boundingBox();
    const h1Box = await page.locator('h1').boundingBox();
    expect(bannerBox!.y).toBeLessThan(h1Box!.y);
    expect(await page.locator('img, script').count()).toBe(0);
    expect(await page.locator('#release-0 h3').innerText()).toContain('<img src=x');
    await page.screenshot({ path: join(tmpdir(), 'model-release-gate-report-tampered.png') });
    await page.close();
  });

  it('the Markdown report\'s Mermaid graphs parse and render in Mermaid itself, labels intact (escaped markup included)', async () => {
    const evil = '<img src=x>"]|`#;';
    const entries = [...sampleEntries(), ...entriesOf([['2026-03-07T09:00:00.000Z', release(d('a7'), d('b7'), `models/${evil}/model.pt`)]]).map((e) => ({ ...e, seq: e.seq + 7 }))];
    const model = buildReport(entries, verification(entries), {});
    const sources = model.releases.map((r) => mermaidGraph(r.graph, `r${r.seq}`));
    const page = await chrome.browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    // The Mermaid that GitHub runs, loaded from the npm package (inlined, no request).
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js') });
    const rendered = await page.evaluate(async (srcs) => {
      const w = globalThis as unknown as { mermaid: { initialize(o: object): void; render(id: string, src: string): Promise<{ svg: string }> }; document: { createElement(t: string): { innerHTML: string; textContent: string; querySelectorAll(s: string): { length: number } } } };
      w.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const out: Array<{ text: string; nodes: number; imgs: number }> = [];
      for (let i = 0; i < srcs.length; i++) {
        const { svg } = await w.mermaid.render(`graph${i}`, srcs[i]);
        const div = w.document.createElement('div');
        div.innerHTML = svg;
        out.push({ text: div.textContent, nodes: div.querySelectorAll('g.node').length, imgs: div.querySelectorAll('img').length });
      }
      return out;
    }, sources);
    expect(errors).toEqual([]);
    expect(rendered).toHaveLength(2);
    expect(rendered[0].nodes).toBe(model.releases[0].graph.nodes.length);
    for (const label of ['data/training', 'release-model #4242', 'models/credit-risk/model.pt', 'alice', 'bob', 'CHG0030001', 'production']) {
      expect(rendered[0].text).toContain(label);
    }
    expect(rendered[1].text).toContain(`models/${evil}/model.pt`);
    expect(rendered[1].imgs).toBe(0);
    await page.close();
  });
});
