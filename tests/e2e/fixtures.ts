import { test as base } from '@playwright/test';
import { Council } from './council';
import { Wallet } from './wallet';

/** Every test gets its own council server and a wallet page. */
export const test = base.extend<{ council: Council; wallet: Wallet }>({
  council: async ({}, use) => {
    const council = await Council.start();
    await use(council);
    await council.dispose();
  },
  wallet: async ({ page }, use) => {
    await use(new Wallet(page));
  },
});

export { expect } from '@playwright/test';
