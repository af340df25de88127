// First load, measured as issue #18 asks: Lighthouse 12 (mobile: simulated slow 4G and a
// 4× slower CPU) against the council server, on the pairing screen a first-time visitor
// sees, and on Home for a paired person with a year of records (the app from its service
// worker, as it opens every day after the first). Prints performance, time to interactive
// and bytes transferred. Run: `cargo xtask bench-browser`.
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '../e2e/fixtures';
import { seed } from '../e2e/seed';
import { Wallet } from '../e2e/wallet';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A year of one person's records (about six a week, as the domain's reference says). */
const YEAR_OF_RECORDS = 320;

type Measured = { performance: number; interactiveMs: number; transferredKiB: number; requests: number };

/** Runs Lighthouse's performance audit on `url` in Chromium; `profile`, when given, is a
 *  Chromium profile kept as it is (its storage and service worker). */
function lighthouse(url: string, profile?: string): Measured {
  const out = join(mkdtempSync(join(tmpdir(), 'tally-lighthouse-')), 'report.json');
  const flags = ['--headless=new', '--no-sandbox', ...(profile ? [`--user-data-dir=${profile}`] : [])];
  execFileSync(
    'npx',
    [
      'lighthouse', url, '--quiet', '--only-categories=performance', '--output=json', `--output-path=${out}`,
      `--chrome-flags=${flags.join(' ')}`, ...(profile ? ['--disable-storage-reset'] : []),
    ],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: 'inherit', timeout: 180_000 },
  );
  const report = JSON.parse(readFileSync(out, 'utf8'));
  expect(report.configSettings.formFactor).toBe('mobile');
  expect(report.configSettings.throttling.cpuSlowdownMultiplier).toBe(4);
  return {
    performance: Math.round(report.categories.performance.score * 100),
    interactiveMs: Math.round(report.audits.interactive.numericValue),
    transferredKiB: Math.round(report.audits['total-byte-weight'].numericValue / 1024),
    requests: report.audits['network-requests'].details.items.length,
  };
}

function say(what: string, m: Measured) {
  console.log(
    `${what}: performance ${m.performance}, time to interactive ${(m.interactiveMs / 1000).toFixed(1)} s, ` +
      `${m.transferredKiB} KiB transferred in ${m.requests} requests`,
  );
}

test('Lighthouse on the pairing screen a first-time visitor sees, and on Home with a year of records', async ({ council }) => {
  test.setTimeout(600_000);
  say('first visit, pairing screen (Lighthouse 12, mobile)', lighthouse(council.url));

  // A paired person's profile: the app kept by its service worker, a year of records.
  const profile = mkdtempSync(join(tmpdir(), 'tally-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const wallet = new Wallet(page);
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£');
  await seed(page, YEAR_OF_RECORDS);
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!registration.active) throw new Error('no service worker');
  });
  await context.close();
  say(`Home with ${YEAR_OF_RECORDS} records (Lighthouse 12, mobile, app from its service worker)`, lighthouse(council.url, profile));
  rmSync(profile, { recursive: true, force: true });
});
