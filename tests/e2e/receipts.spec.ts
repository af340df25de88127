// Receipt photos: added from a file or the camera, made small on the phone, kept on the
// device (IndexedDB) and shown with the spending.
import { Page } from '@playwright/test';
import { join } from 'node:path';
import { test, expect } from './fixtures';

const FIXTURE = join(__dirname, '..', 'fixtures', 'receipt.jpg');

/** Sizes of every photo kept on this device, in bytes. */
async function storedReceiptSizes(page: Page): Promise<number[]> {
  return page.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('tally-receipts');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('receipts').objectStore('receipts').getAll();
          all.onsuccess = () => resolve((all.result as Blob[]).map((b) => b.size));
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

test('a receipt photo clears the "receipt needed" flag and is shown with the spending', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.goTo('Log spending');
  await wallet.fillSpend({ amount: '60', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  const before = wallet.form.getByRole('region', { name: 'Before you save' });
  await expect(before).toContainText('Receipt needed');

  await wallet.form.getByLabel('Or choose a photo').setInputFiles(FIXTURE);
  await expect(wallet.form.getByRole('img', { name: 'Receipt photo 1' })).toBeVisible();
  await expect(before).toBeHidden();
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('Saved £60.00 to Sunrise Day Centre');
  await expect(wallet.form.getByRole('img')).toHaveCount(0);

  await wallet.form.getByRole('link', { name: 'See what you logged' }).click();
  const photos = page.getByRole('region', { name: 'Receipts' });
  await expect(photos.getByRole('img', { name: 'Receipt photo 1 (opens full size)' })).toBeVisible();
  const sizes = await storedReceiptSizes(page);
  expect(sizes).toHaveLength(1);
  expect(sizes[0]).toBeLessThanOrEqual(200 * 1024);

  // The spend the council holds names the photo by its SHA-256.
  await wallet.goTo('Home');
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  const [spend] = await council.spends();
  expect((spend.body as unknown as { receipts: string[] }).receipts[0]).toMatch(/^[0-9a-f]{64}$/);
});

test('a file that is not a photo is explained and the rest of the form is kept', async ({ wallet, council }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.goTo('Log spending');
  await wallet.fillSpend({ amount: '12.50', payee: 'Corner Shop', planLine: 'Day centre' });
  await wallet.form.getByLabel('Or choose a photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
  await expect(wallet.form.getByRole('alert')).toContainText('That file is not a photo');
  await wallet.form.getByLabel('Or choose a photo').setInputFiles({ name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not really a jpeg') });
  await expect(wallet.form.getByRole('alert')).toContainText('That photo could not be opened');
  await expect(wallet.form.getByLabel('Amount')).toHaveValue('12.50');
  await expect(wallet.form.getByLabel('Who was paid')).toHaveValue('Corner Shop');
});

test('a 12 megapixel phone photo is made small enough to send', async ({ page, wallet, council }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.goTo('Log spending');
  // A 4000 × 3000 photo full of detail (noise compresses badly: a worst case), made in the
  // page and handed to the file input as a phone's camera would.
  const original = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 4000;
    canvas.height = 3000;
    const g = canvas.getContext('2d')!;
    const image = g.createImageData(4000, 3000);
    for (let i = 0; i < image.data.length; i += 4) {
      const v = (i * 2654435761) >>> 24;
      image.data[i] = v;
      image.data[i + 1] = (v * 7) & 255;
      image.data[i + 2] = (v * 13) & 255;
      image.data[i + 3] = 255;
    }
    g.putImageData(image, 0, 0);
    const blob: Blob = await new Promise((r) => canvas.toBlob((b) => r(b!), 'image/jpeg', 0.92));
    const input = document.getElementById('receipt-camera') as HTMLInputElement;
    const files = new DataTransfer();
    files.items.add(new File([blob], 'IMG_0001.jpg', { type: 'image/jpeg' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    return blob.size;
  });
  expect(original).toBeGreaterThan(5 * 1024 * 1024);
  await expect(wallet.form.getByRole('img', { name: 'Receipt photo 1' })).toBeVisible({ timeout: 30_000 });
  const sizes = await storedReceiptSizes(page);
  expect(sizes).toHaveLength(1);
  expect(sizes[0]).toBeLessThanOrEqual(200 * 1024);
  console.log(`receipt: ${(original / 1024 / 1024).toFixed(1)} MB photo stored as ${Math.round(sizes[0] / 1024)} KB`);
});
