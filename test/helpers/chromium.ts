import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// Debian's chromium by default; MRG_CHROMIUM points elsewhere (e.g. google-chrome on Ubuntu runners).
const CHROMIUM = process.env.MRG_CHROMIUM ?? '/usr/bin/chromium';

/**
 * One headless Chromium for a test file, started before its tests and closed
 * after them, with a fresh profile (playwright passes it as --user-data-dir)
 * and a scratch directory for the pages; the flags keep the browser from
 * calling out on its own. Returns getters, valid inside the tests.
 */
export function useChromium(prefix: string): { browser: () => BrowserContext; dir: () => string } {
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root) to install Debian's chromium`);
    dir = mkdtempSync(join(tmpdir(), prefix));
    profile = mkdtempSync(join(tmpdir(), 'mrg-chromium-profile-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });
  return { browser: () => browser!, dir: () => dir! };
}
