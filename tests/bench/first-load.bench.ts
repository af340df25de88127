// First load, measured as issue #18 asks: Lighthouse 12 (mobile: simulated slow 4G and a
// 4× slower CPU) against the council server, on the pairing screen a first-time visitor
// sees, and on Home for a paired person with a year of records (the app from its service
// worker, as it opens every day after the first). In the same run, the same audit of the
// first screen of Actual Budget's web app (its published build, tests/peer, served alike
// by peer-server.ts), the local-first budgeting app the issue compares Tally with. Prints
// performance, time to interactive and bytes transferred, and a table of the three.
// Run: `cargo xtask bench-browser`.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servePeer } from './peer-server';
import { test, expect } from '../e2e/fixtures';
import { seed } from '../e2e/seed';
import { Wallet } from '../e2e/wallet';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A year of one person's records (about six a week, as the domain's reference says). */
const YEAR_OF_RECORDS = 320;

type Measured = { performance: number; interactiveMs: number; transferredKiB: number; requests: number };

/** Runs Lighthouse's performance audit on `url` in Chromium; `profile`, when given, is a
 *  Chromium profile kept as it is (its storage and service worker). */
async function lighthouse(url: string, profile?: string): Promise<Measured> {
  const out = join(mkdtempSync(join(tmpdir(), 'tally-lighthouse-')), 'report.json');
  const flags = ['--headless=new', '--no-sandbox', ...(profile ? [`--user-data-dir=${profile}`] : [])];
  // Asynchronous, so a server in this process (the peer's) answers while Lighthouse runs.
  const lighthouse = spawn(
    'npx',
    [
      'lighthouse', url, '--quiet', '--only-categories=performance', '--output=json', `--output-path=${out}`,
      `--chrome-flags=${flags.join(' ')}`, ...(profile ? ['--disable-storage-reset'] : []),
    ],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: 'inherit', timeout: 180_000 },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    lighthouse.on('error', reject);
    lighthouse.on('exit', resolve);
  });
  expect(code, `Lighthouse on ${url} failed`).toBe(0);
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

function row(what: string, m: Measured) {
  return `| ${what} | ${m.transferredKiB.toLocaleString('en-GB')} KiB | ${m.performance} | ${(m.interactiveMs / 1000).toFixed(1)} s |`;
}

test('Lighthouse on the pairing screen a first-time visitor sees, and on Home with a year of records; Actual Budget alike', async ({ council }) => {
  test.setTimeout(900_000);
  const firstVisit = await lighthouse(council.url);
  say('first visit, pairing screen (Lighthouse 12, mobile)', firstVisit);

  const build = join(__dirname, '../peer/node_modules/@actual-app/web/build');
  expect(existsSync(join(build, 'index.html')), 'the peer app is not installed: npm ci in tests/peer').toBe(true);
  const peer = await servePeer(build);
  let actual: Measured;
  try {
    actual = await lighthouse(peer.url);
  } finally {
    await peer.close();
  }
  say('Actual Budget web 26.9.0, first visit (Lighthouse 12, mobile)', actual);

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
  const home = await lighthouse(council.url, profile);
  say(`Home with ${YEAR_OF_RECORDS} records (Lighthouse 12, mobile, app from its service worker)`, home);
  rmSync(profile, { recursive: true, force: true });

  console.log(
    [
      '',
      '| Lighthouse 12, mobile (slow 4G, 4× CPU) | transferred | performance | time to interactive |',
      '| --- | --- | --- | --- |',
      row('Tally, first visit (pairing screen)', firstVisit),
      row(`Tally, Home with ${YEAR_OF_RECORDS} records (service worker)`, home),
      row('Actual Budget web 26.9.0, first visit', actual),
      '',
    ].join('\n'),
  );
});
