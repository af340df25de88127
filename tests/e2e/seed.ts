// Many records at once, written straight into the wallet's device database in its own
// record format (as if logged over a year), for tests and benchmarks at scale.
import { Page } from '@playwright/test';

/** Writes `count` spends for the paired account straight into the wallet's IndexedDB, in
 *  the app's own record format, as if logged over a year. */
export async function seed(page: Page, count: number) {
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

