// Benchmarks of the wallet's device storage in real Chromium (not tests: they print
// numbers). Run: `cargo xtask bench-browser` (or, with a built app and server,
// `npx playwright test -c bench.config.ts` in tests/).
//
// - save one record with 10,000 stored (target ≤ 16 ms): the app's own `tally:save`
//   measure, from the moment Save is pressed to the IndexedDB transaction committing;
// - cold start with no network and 10,000 records to interactive (target ≤ 500 ms, also
//   with 4× CPU throttling): navigation start to the balance being on screen;
// - memory with 10,000 records (target ≤ 64 MB): JS heap plus the wasm memory.
import { CDPSession, Page } from '@playwright/test';
import { test, expect } from '../e2e/fixtures';
import { seed } from '../e2e/seed';

const RECORDS = 10_000;

/** Navigation start to the balance being on screen with the records read (the home page
 *  is drawn only then), and the page free to answer the next frame. Timed inside the page
 *  (a MutationObserver and requestAnimationFrame), so the test runner's polling does not
 *  count. */
async function timeToInteractive(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await expect(page.getByRole('region', { name: 'Balance' })).toBeVisible({ timeout: 60_000 });
  return page.evaluate(() => (window as unknown as { tallyInteractive: Promise<number> }).tallyInteractive);
}

/** Where the time of the page's start went (the last start). */
async function startParts(page: Page): Promise<string> {
  return page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name).at(-1)?.startTime ?? -1;
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm')) as PerformanceResourceTiming | undefined;
    const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('tally:')).map((m) => `${m.name} ${m.duration.toFixed(0)} ms`);
    return [
      wasm ? `wasm fetched ${wasm.startTime.toFixed(0)}–${wasm.responseEnd.toFixed(0)} ms` : 'wasm not seen',
      `running at ${at('tally:main').toFixed(0)} ms`,
      ...measures,
      `records in memory at ${at('tally:records-loaded').toFixed(0)} ms`,
    ].join(', ');
  });
}

async function memory(page: Page, cdp: CDPSession): Promise<{ js: number; wasm: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => {
    const instance = (window as unknown as { tallyWasm?: { memory: WebAssembly.Memory } }).tallyWasm;
    return instance ? instance.memory.buffer.byteLength : -1;
  });
  return { js: heap.usedSize, wasm };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

test('device storage with 10,000 records', async ({ page, council, wallet }) => {
  test.setTimeout(300_000);
  // When the balance first appears, and the next frame after it.
  await page.addInitScript(() => {
    (window as unknown as { tallyInteractive: Promise<number> }).tallyInteractive = new Promise((resolve) => {
      const check = () => {
        if (!document.getElementById('balance-heading')) return false;
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
        return true;
      };
      const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
      addEventListener('DOMContentLoaded', () => { if (!check()) observer.observe(document.body, { childList: true, subtree: true }); });
    });
  });
  // Trunk announces the started wasm instance; keep it to read its memory.
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (event) => {
      (window as unknown as { tallyWasm: unknown }).tallyWasm = (event as CustomEvent).detail.wasm;
    });
  });
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  // Saving with about 10 records stored, for comparison.
  const savesSmall: number[] = [];
  for (let i = 0; i < 10; i++) {
    await wallet.logSpend({ amount: `${i + 1}.10`, payee: `Small shop ${i}`, planLine: 'Day centre' });
    if (i >= 5) savesSmall.push(await page.evaluate(() => performance.getEntriesByName('tally:save').at(-1)!.duration));
  }
  // Cold starts with about 10 records and the council server off: what the machine, the
  // service worker and loading the app cost before any record is read.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await council.stop();
  const coldSmall: number[] = [];
  for (let i = 0; i < 3; i++) coldSmall.push(await timeToInteractive(page, council.url));
  await seed(page, RECORDS);
  await page.evaluate(() => navigator.serviceWorker.ready);

  // Saving one record, several times over.
  await page.reload();
  await expect(wallet.heading('Alex Morgan')).toBeVisible({ timeout: 60_000 });
  const saves: number[] = [];
  for (let i = 0; i < 5; i++) {
    await wallet.logSpend({ amount: `${i + 1}.25`, payee: `Benchmark shop ${i}`, planLine: 'Day centre' });
    saves.push(await page.evaluate(() => performance.getEntriesByName('tally:save').at(-1)!.duration));
  }

  // Cold starts with the council server off (the app comes from the service worker).
  const cdp = await page.context().newCDPSession(page);
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) cold.push(await timeToInteractive(page, council.url));
  const coldParts = await startParts(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const throttled: number[] = [];
  for (let i = 0; i < 3; i++) throttled.push(await timeToInteractive(page, council.url));
  const throttledParts = await startParts(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const used = await memory(page, cdp);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`records stored: ${RECORDS + 15}`);
  console.log(`save one record with about 10 stored: median ${median(savesSmall).toFixed(1)} ms (runs: ${savesSmall.map((s) => s.toFixed(1)).join(', ')})`);
  console.log(`save one record with 10,000 stored: median ${median(saves).toFixed(1)} ms (runs: ${saves.map((s) => s.toFixed(1)).join(', ')}) — target 16 ms`);
  console.log(`cold start offline with about 10 records: median ${median(coldSmall).toFixed(0)} ms (runs: ${coldSmall.map((c) => c.toFixed(0)).join(', ')})`);
  console.log(`cold start offline with 10,000 records to interactive: median ${median(cold).toFixed(0)} ms (runs: ${cold.map((c) => c.toFixed(0)).join(', ')}) — target 500 ms`);
  console.log(`  where the time went (last run): ${coldParts}`);
  console.log(`cold start offline, 4× CPU throttling: median ${median(throttled).toFixed(0)} ms (runs: ${throttled.map((c) => c.toFixed(0)).join(', ')})`);
  console.log(`  where the time went (last run): ${throttledParts}`);
  console.log(`memory: JS heap ${mb(used.js)} MB + wasm memory ${mb(used.wasm)} MB = ${mb(used.js + used.wasm)} MB — target 64 MB`);
  expect(saves.length).toBe(5);
});
