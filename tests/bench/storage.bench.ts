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

const RECORDS = 10_000;

/** Writes `count` spends for the paired account straight into the wallet's IndexedDB, in
 *  the app's own record format, as if logged over a year. */
async function seed(page: Page, count: number) {
  await page.evaluate(async (count) => {
    const session = JSON.parse(localStorage.getItem('tally.v2.sessions')!)[0];
    const account = session.account.account_id;
    const device = session.device_id;
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open('tally-records');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const lines = ['day-centre', 'pa-hours', 'transport', 'respite'];
    const payees = ['Sunrise Day Centre', 'Ace Care Agency', 'City Taxis', 'Seaview Respite', 'Corner Shop'];
    const tx = db.transaction('records', 'readwrite');
    const store = tx.objectStore('records');
    const start = Date.UTC(2026, 0, 5);
    for (let n = 0; n < count; n++) {
      const day = new Date(start + Math.floor((n * 365) / count) * 86_400_000).toISOString().slice(0, 10);
      const id = `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
      const entry = {
        id,
        account,
        author: { name: 'Alex Morgan', device },
        recorded_at: `${day}T09:00:00Z`,
        body: {
          type: 'spend', date: day, amount: `${1 + (n % 40)}.${(n % 100).toString().padStart(2, '0')}`,
          payee: payees[n % payees.length], payee_kind: 'shop', close_relative_in_household: false,
          plan_line: lines[n % lines.length], method: 'card', note: '', receipts: [],
        },
      };
      store.put(JSON.stringify({ entry, delivery: { state: 'saved' } }), `${account}/${id}`);
    }
    await new Promise<void>((resolve, reject) => { tx.oncomplete = () => resolve(); tx.onerror = () => reject(tx.error); });
    db.close();
  }, count);
}

async function timeToInteractive(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await expect(page.getByRole('region', { name: 'Balance' })).toBeVisible({ timeout: 60_000 });
  return page.evaluate(() => performance.now());
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
  await council.stop();
  const cdp = await page.context().newCDPSession(page);
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) cold.push(await timeToInteractive(page, council.url));
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const throttled: number[] = [];
  for (let i = 0; i < 3; i++) throttled.push(await timeToInteractive(page, council.url));
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const loaded = await page.evaluate(() => performance.getEntriesByName('tally:records-loaded').at(-1)?.startTime ?? -1);
  const used = await memory(page, cdp);
  const parts = await page.evaluate(() =>
    performance.getEntriesByType('measure').filter((m) => m.name.startsWith('tally:')).map((m) => `${m.name} ${m.duration.toFixed(0)} ms`),
  );

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`records stored: ${RECORDS + 15}`);
  console.log(`save one record with about 10 stored: median ${median(savesSmall).toFixed(1)} ms (runs: ${savesSmall.map((s) => s.toFixed(1)).join(', ')})`);
  console.log(`save one record with 10,000 stored: median ${median(saves).toFixed(1)} ms (runs: ${saves.map((s) => s.toFixed(1)).join(', ')}) — target 16 ms`);
  console.log(`cold start offline to interactive: median ${median(cold).toFixed(0)} ms (runs: ${cold.map((c) => c.toFixed(0)).join(', ')}) — target 500 ms`);
  console.log(`  of which records read from IndexedDB by: ${loaded.toFixed(0)} ms after navigation start (last run)`);
  console.log(`  parts of the last start: ${parts.join(', ')}`);
  console.log(`cold start offline, 4× CPU throttling: median ${median(throttled).toFixed(0)} ms (runs: ${throttled.map((c) => c.toFixed(0)).join(', ')})`);
  console.log(`memory: JS heap ${mb(used.js)} MB + wasm memory ${mb(used.wasm)} MB = ${mb(used.js + used.wasm)} MB — target 64 MB`);
  expect(saves.length).toBe(5);
});
