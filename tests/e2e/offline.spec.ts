// Offline first: after one visit the wallet opens with no network at all, every record is
// kept on the device (IndexedDB) through reloads and full storage, and two phones logging
// for the same person both end with every record, once.
import { Browser, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { seed } from './seed';
import { Council, DIST } from './council';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from './wallet';

/** Waits until the service worker has kept the app for offline use. */
async function appKeptOffline(page: Page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!registration.active) throw new Error('no active service worker');
  });
  // The page that registered it is controlled once the worker has claimed it.
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

test('after one visit the wallet opens and logs spending with the council server switched off', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await appKeptOffline(page);

  // Nothing answers at the council's address any more: not the API, not the app's files.
  await council.stop();
  await page.reload();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await expect(wallet.balance).toContainText('£1,467.50');
  await expect(wallet.spending.filter({ hasText: 'Sunrise Day Centre' })).toContainText('Saved to the council');
  await expect(wallet.syncStatus).toContainText('Could not reach the council');

  // Log more with no network, and open the app again from cold, still with no network.
  await wallet.logSpend({ amount: '7.50', payee: 'City Taxis', planLine: 'Taxi to the day centre' });
  await expect(wallet.syncStatus).toContainText('1 record waiting');
  // The council workspace is an app of its own that needs the network: it says so plainly.
  await page.goto(`${council.url}council`);
  await expect(page.getByRole('heading', { level: 1, name: 'No connection' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('needs a connection');
  await page.goto(`${council.url}history`);
  await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
  await wallet.goTo('Home');
  await expect(wallet.spending.filter({ hasText: 'City Taxis' })).toContainText('Waiting to be sent');
  await expect(wallet.balance).toContainText('£1,460.00');

  // The council is back: the waiting record goes, once.
  await council.launch();
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  const spends = await council.spends();
  expect(spends.map((s) => s.body.payee).sort()).toEqual(['City Taxis', 'Sunrise Day Centre']);
});

test('when the device refuses to store a record it stays on screen, the person is told, and it is saved once storage is back', async ({ page, council, wallet }) => {
  // Stand in for a full disk: every IndexedDB write fails while the flag is set, as a
  // browser over its quota fails them.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
      if ((window as unknown as { tallyStorageFull?: boolean }).tallyStorageFull) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
  });
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));

  await page.evaluate(() => { (window as unknown as { tallyStorageFull: boolean }).tallyStorageFull = true; });
  await wallet.logSpend({ amount: '20', payee: 'Garden Centre', planLine: 'Day centre' });
  const problem = page.getByRole('alert').filter({ hasText: 'Not saved on this device yet' });
  await expect(problem).toContainText('storage is full');
  await expect(wallet.spending.filter({ hasText: 'Garden Centre' })).toContainText('£20.00');

  // Space is freed: the next try (every few seconds) writes it, and the message goes.
  await page.evaluate(() => { (window as unknown as { tallyStorageFull: boolean }).tallyStorageFull = false; });
  await expect(problem).toHaveCount(0, { timeout: 15_000 });
  await page.reload();
  await expect(wallet.spending.filter({ hasText: 'Garden Centre' })).toContainText('Waiting to be sent');

  await page.unroute('**/api/**');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  expect((await council.spends()).map((s) => s.body.payee)).toEqual(['Garden Centre']);
});

test('records an earlier version kept in localStorage move to the device database once, with nothing lost', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
  await wallet.logSpend({ amount: '3.20', payee: 'Bus Company', planLine: 'Taxi to the day centre' });
  await expect(wallet.syncStatus).toContainText('1 record waiting');

  // Put the device back as the previous version left it: every record in one
  // localStorage value, and nothing in IndexedDB.
  await page.evaluate(async () => {
    const sessions = JSON.parse(localStorage.getItem('tally.v2.sessions')!);
    const account = sessions[0].account.account_id;
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open('tally-records');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows: string[] = await new Promise((resolve, reject) => {
      const get = db.transaction('records').objectStore('records').getAll();
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    });
    const records = rows.map((row) => JSON.parse(row));
    localStorage.setItem(`tally.v1.records.${account}`, JSON.stringify({ records, cursor: 0 }));
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(['records', 'meta'], 'readwrite');
      tx.objectStore('records').clear();
      tx.objectStore('meta').clear();
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });

  await page.reload();
  await expect(wallet.spending.filter({ hasText: 'Bus Company' })).toContainText('Waiting to be sent');
  await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tally.v1.records.')).length)).toBe(0);
  await page.reload();
  await expect(wallet.spending.filter({ hasText: 'Bus Company' })).toContainText('Waiting to be sent');

  await page.unroute('**/api/**');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  expect((await council.spends()).map((s) => s.body.payee)).toEqual(['Bus Company']);
});

async function secondPhone(browser: Browser): Promise<Wallet> {
  const context = await browser.newContext();
  return new Wallet(await context.newPage());
}

test('two phones logging offline for the same person both end with every record, and the council holds each once', async ({ browser, council, wallet }) => {
  const carer = await secondPhone(browser);
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await carer.open(council.url);
  await carer.page.getByLabel('Pairing code').fill(council.newPairingCode());
  await carer.page.getByLabel('Your name (optional)').fill('Sam Morgan');
  await carer.page.getByRole('button', { name: 'Connect this device' }).click();
  await expect(carer.syncStatus).toContainText('All saved to the council');

  // Neither phone can reach the council while both log spending.
  await council.stop();
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await wallet.logSpend({ amount: '4', payee: 'Corner Cafe', planLine: 'Day centre' });
  await carer.logSpend({ amount: '30', payee: 'Ace Care Agency', planLine: 'Personal assistant hours' });
  await expect(wallet.syncStatus).toContainText('2 records waiting');
  await expect(carer.syncStatus).toContainText('1 record waiting');

  await council.launch();
  for (const phone of [carer, wallet]) {
    await phone.syncNow();
    await expect(phone.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  }
  // The carer's phone sent first, so it fetches the other phone's records when it next
  // syncs: here, when the app is opened again.
  await carer.page.reload();
  await expect(carer.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  // Each phone sees the other's spending; nobody's is doubled.
  for (const phone of [wallet, carer]) {
    for (const payee of ['Sunrise Day Centre', 'Corner Cafe', 'Ace Care Agency']) {
      await expect(phone.spending.filter({ hasText: payee })).toHaveCount(1);
    }
    await expect(phone.balance).toContainText('£1,433.50');
  }
  const spends = await council.spends();
  expect(spends.map((s) => [s.body.payee, s.author.name]).sort()).toEqual([
    ['Ace Care Agency', 'Sam Morgan'],
    ['Corner Cafe', 'Alex Morgan'],
    ['Sunrise Day Centre', 'Alex Morgan'],
  ]);
  await carer.page.context().close();
});

test('with thousands of records, home lists the newest few to explain and links to the rest', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await seed(page, 2_000);
  await page.reload();
  await expect(wallet.heading('Alex Morgan')).toBeVisible({ timeout: 30_000 });

  const toExplain = page.getByRole('region', { name: 'Needs your explanation' });
  await expect(toExplain.getByRole('listitem')).toHaveCount(5);
  const newest = await toExplain.getByRole('listitem').first().getByRole('link').getAttribute('href');
  const more = toExplain.getByRole('link', { name: /^See \d+ more in History$/ });
  await expect(more).toBeVisible();
  await more.click();
  await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
  await expect(page.getByLabel('Only spending the council may ask about')).toBeChecked();
  // Home's first is the newest spending to explain: the first in History, which is newest first.
  await expect(page.getByRole('main').getByRole('region').first().getByRole('link').first()).toHaveAttribute('href', newest!);
});

test('a first visit gets the small first screen, which works before the wallet arrives; once paired, each file is downloaded once, the service worker included', async ({ browser }) => {
  const council = await Council.start([], { logRequests: true });
  try {
    const page = await (await browser.newContext()).newPage();
    const downloads = () => council.answers.filter((a) => a.method === 'GET' && a.status === 200 && !a.path.startsWith('/api/'));
    const wallet = new Wallet(page);
    await page.goto(council.url);
    await expect(page.getByRole('heading', { level: 1, name: 'Connect to your council' })).toBeVisible();
    // The first screen works with none of the wallet downloaded: a wrong code is explained.
    await page.getByLabel('Pairing code').fill('ZZZZ-9999');
    await page.getByRole('button', { name: 'Connect this device' }).click();
    await expect(page.getByLabel('Pairing code')).toHaveAccessibleDescription(/not right, or it has already been used/);
    const firstScreen = downloads().map((a) => a.path);
    expect(firstScreen.some((p) => /^\/welcome\/tally-welcome-[0-9a-f]+_bg\.wasm$/.test(p)), firstScreen.join(' ')).toBe(true);
    expect(firstScreen.filter((p) => /^\/tally-[0-9a-f]+/.test(p)), 'none of the wallet yet').toEqual([]);

    // Paired: the wallet follows, and keeps itself for offline use.
    await page.getByLabel('Pairing code').fill(council.pairingCode);
    await page.getByRole('button', { name: 'Connect this device' }).click();
    await expect(wallet.balance).toContainText('£1,480.00');
    await appKeptOffline(page);
    const times = new Map<string, number>();
    for (const answer of downloads()) times.set(answer.path, (times.get(answer.path) ?? 0) + 1);
    // "/" twice: the first screen's page, then the wallet's (1.7 KiB each).
    const more = [...times].filter(([path, n]) => n > (path === '/' ? 2 : 1));
    expect(more, 'files downloaded more than once').toEqual([]);
    const kept: string[] = await page.evaluate(async () => {
      const cache = await caches.open((await caches.keys()).find((k) => k.startsWith('tally-app-'))!);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    const wasm = kept.filter((p) => p.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    expect(times.get(wasm[0])).toBe(1);

    // A reload: the hashed files come from the service worker, none from the server.
    const before = downloads().length;
    await page.reload();
    await expect(wallet.balance).toContainText('£1,480.00');
    const again = downloads().slice(before).map((a) => a.path).filter((p) => /-[0-9a-f]{12,16}/.test(p));
    expect(again).toEqual([]);
    await page.context().close();
  } finally {
    await council.dispose();
  }
});

/** A copy of the build as version 2: `change` writes one changed file under a new hashed
 *  name and says [its old name, its new name]; the old file and stale compressed copies go,
 *  and the page (the file's name and integrity hash) and the service worker (its list of
 *  files and its version) match, as the build would make them. */
function versionTwo(change: (dir: string) => [string, string]): string {
  const v2 = mkdtempSync(join(tmpdir(), 'tally-dist-v2-'));
  cpSync(DIST, v2, { recursive: true, preserveTimestamps: true });
  const [old, renamed] = change(v2);
  for (const stale of [old, `${old}.br`, `${old}.gz`, 'index.html.br', 'index.html.gz', 'sw.js.br', 'sw.js.gz']) {
    rmSync(join(v2, stale), { force: true });
  }
  for (const file of ['index.html', 'sw.js']) {
    let text = readFileSync(join(v2, file), 'utf8').replaceAll(old, renamed);
    if (file === 'index.html') {
      const integrity = `sha384-${createHash('sha384').update(readFileSync(join(v2, renamed))).digest('base64')}`;
      const tag = new RegExp(`(<link[^>]*href="/${renamed.replaceAll('.', '\\.')}"[^>]*integrity=")[^"]+"`);
      expect(text, `the page names ${renamed} with its integrity hash`).toMatch(tag);
      text = text.replace(tag, `$1${integrity}"`);
    }
    if (file === 'sw.js') text = text.replace(/const VERSION = "[0-9a-f]+";/, 'const VERSION = "version-two";');
    writeFileSync(join(v2, file), text);
  }
  return v2;
}

/** A phone paired on version 1 with the app kept offline; then `v2` is deployed and the
 *  person opens the app again, until it offers the update. `before`: how many answers the
 *  server had sent before they did. */
async function updatedTo(browser: Browser, council: Council, v2: string) {
  const page = await (await browser.newContext()).newPage();
  const wallet = new Wallet(page);
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£1,480.00');
  await appKeptOffline(page);
  await council.stop();
  council.dist = v2;
  await council.launch();
  const before = council.answers.length;
  await page.reload();
  await expect(page.getByRole('button', { name: 'Reload to update' })).toBeVisible({ timeout: 30_000 });
  return { page, wallet, before };
}

test('an update downloads only the files whose hash changed: the rest come from the previous version', async ({ browser }) => {
  // Version 2 of the wallet changes only its style sheet.
  const newCss = 'main-0123456789abcdef.css';
  const v2 = versionTwo((dir) => {
    const css = readdirSync(dir).find((f) => /^main-[0-9a-f]+\.css$/.test(f))!;
    writeFileSync(join(dir, newCss), readFileSync(join(dir, css), 'utf8') + '\n/* version 2 */\n');
    return [css, newCss];
  });
  const council = await Council.start([], { logRequests: true });
  try {
    const { page, wallet, before } = await updatedTo(browser, council, v2);
    const downloaded = council.answers.slice(before)
      .filter((a) => a.method === 'GET' && a.status === 200 && !a.path.startsWith('/api/'))
      .map((a) => a.path);
    // The changed style sheet once; the unchanged wasm, script and icons not at all.
    expect(downloaded.filter((p) => p === `/${newCss}`)).toHaveLength(1);
    expect(downloaded.filter((p) => /\.(wasm|js|png)$/.test(p) && p !== '/sw.js')).toEqual([]);
    // The update reloads the page; version 2's page links the new style sheet, and the
    // browser applies it (its integrity hash checks out).
    await page.getByRole('button', { name: 'Reload to update' }).click();
    await expect(page.locator(`link[rel="stylesheet"][href$="${newCss}"]`)).toHaveCount(1);
    await expect(wallet.balance).toContainText('£1,480.00');
    await expect
      .poll(() => page.evaluate((css) => [...document.styleSheets].some((sheet) => sheet.href?.endsWith(css)), newCss))
      .toBe(true);
    await page.context().close();
  } finally {
    await council.dispose();
    rmSync(v2, { recursive: true, force: true });
  }
});

test('an update to the wallet\'s code downloads only what changed: the wasm comes as a delta of the version the phone has', async ({ browser }) => {
  // Version 2 changes the wallet's code: its wasm differs in one page's heading.
  const newWasm = 'tally-fedcba9876543210_bg.wasm';
  let wasm = '';
  const v2 = versionTwo((dir) => {
    wasm = readdirSync(dir).find((f) => /^tally-[0-9a-f]+_bg\.wasm$/.test(f))!;
    const bytes = readFileSync(join(dir, wasm));
    const at = bytes.indexOf('Opening balance');
    expect(at, 'the statement page\'s text is in the wasm').toBeGreaterThan(0);
    bytes.write('Opening BALANCE', at);
    writeFileSync(join(dir, newWasm), bytes);
    return [wasm, newWasm];
  });
  const wholeWasm = readFileSync(join(DIST, `${wasm}.br`)).length;
  const council = await Council.start([], { logRequests: true });
  try {
    // The server kept version 1's files in its data folder when it started.
    const { page, wallet } = await updatedTo(browser, council, v2);
    // The new wasm came once, as a delta of version 1's: a few hundred bytes, not the whole.
    expect(council.deltas.map((d) => d.path)).toEqual([`/${newWasm}`]);
    expect(council.deltas[0].bytes).toBeLessThan(wholeWasm / 100);
    const got = council.answers.filter((a) => a.method === 'GET' && a.path === `/${newWasm}`);
    expect(got.map((a) => a.status)).toEqual([200]);

    // The browser put it together: version 2 runs (its page names the new wasm, and checks
    // its integrity hash against what the browser decoded), offline too.
    await page.getByRole('button', { name: 'Reload to update' }).click();
    await expect(page.locator(`link[href$="${newWasm}"]`)).toHaveCount(1);
    await expect(wallet.balance).toContainText('£1,480.00');
    await council.stop();
    await page.getByRole('link', { name: 'Export' }).first().click();
    await expect(page.getByText('Opening BALANCE')).toBeVisible();
    await page.context().close();
  } finally {
    await council.dispose();
    rmSync(v2, { recursive: true, force: true });
  }
});
