#!/usr/bin/env node
/**
 * Renders build/icon.svg to build/icon.png (512 by 512 pixels, transparent corners) with headless
 * Chromium through playwright-core. electron-builder derives every platform's icon format
 * (.ico, .icns, the Linux sizes) from that PNG. Run after editing the SVG:
 *   node scripts/make-icon.mjs [--chromium /path/to/chromium]
 * The PNG is committed, so packaging never needs a browser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from './lib/electron-env.mjs';

const SIZE = 512;
const index = process.argv.indexOf('--chromium');
const executablePath = index > 0 ? process.argv[index + 1] : (process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');

const svg = readFileSync(join(PROJECT_ROOT, 'build', 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(PROJECT_ROOT, 'build', 'icon.png'), omitBackground: true });
  console.log('Wrote build/icon.png');
} finally {
  await browser.close();
}
