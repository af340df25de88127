// A family carer looking after two people's direct payments on one phone.
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

test('a carer holds two people on one device, switches in one tap, and everything reaches the council once', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await page.getByLabel('Pairing code').fill(council.pairingCode);
  await page.getByLabel('Your name (optional)').fill('Sam Morgan');
  await page.getByRole('button', { name: 'Connect this device' }).click();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(wallet.spending.filter({ hasText: 'Sunrise Day Centre' })).toContainText('logged by Sam Morgan');

  // Add the second person.
  await page.getByRole('group', { name: 'People on this device' }).getByRole('link', { name: 'Add a person' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Add a person to this device' })).toBeVisible();
  await page.getByLabel('Pairing code').fill(council.newPairingCode('DP-000002'));
  await page.getByLabel('Your name (optional)').fill('Sam Morgan');
  await page.getByRole('button', { name: 'Connect this device' }).click();
  await expect(wallet.heading('Pat Morgan')).toBeVisible();
  await expect(wallet.balance).toContainText('£520.00');

  // With the council unreachable, log for Pat, then switch to Alex in one tap.
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
  await wallet.logSpend({ amount: '45', payee: 'Homecare Ltd', planLine: 'Home care visits' });
  await expect(wallet.balance).toContainText('£475.00');
  await page.getByRole('button', { name: 'Switch to Alex Morgan' }).click();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await expect(wallet.balance).toContainText('£1,467.50');
  await expect(wallet.spending.filter({ hasText: 'Homecare' })).toHaveCount(0);

  // Still there after a reload, on the person last shown.
  await page.reload();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await page.getByRole('button', { name: 'Switch to Pat Morgan' }).click();
  await expect(wallet.spending.filter({ hasText: 'Homecare Ltd' })).toContainText('Waiting to be sent');
  await page.getByRole('button', { name: 'Switch to Alex Morgan' }).click();

  // Back online: one round sends every person's records.
  await page.unroute('**/api/**');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  const patSpends = await council.spends('DP-000002');
  expect(patSpends.map((s) => [s.body.payee, s.body.amount, s.author.name])).toEqual([['Homecare Ltd', '45.00', 'Sam Morgan']]);
  const alexSpends = await council.spends();
  expect(alexSpends.map((s) => s.body.payee)).toEqual(['Sunrise Day Centre']);

  await page.getByRole('button', { name: 'Switch to Pat Morgan' }).click();
  await expect(wallet.spending.filter({ hasText: 'Homecare Ltd' })).toContainText('Saved to the council');
});

test('removing a person from a shared phone says exactly what would be lost, and wipes their data', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
  await wallet.logSpend({ amount: '12.50', payee: 'Corner Shop', planLine: 'Day centre' });

  await page.getByRole('group', { name: 'People on this device' }).getByRole('link', { name: 'This device' }).click();
  await page.getByRole('button', { name: 'Remove Alex Morgan from this device' }).click();
  await expect(page.getByText('1 record is not sent to the council yet')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: /^£12\.50 to Corner Shop on/ })).toBeVisible();
  await page.getByRole('button', { name: 'Yes, remove Alex Morgan' }).click();
  await expect(page.getByLabel('I understand these records will be lost')).toHaveAccessibleDescription(/Tick the box/);
  await page.getByRole('button', { name: 'Keep them' }).click();

  // Once everything is sent, removing loses nothing.
  await page.unroute('**/api/**');
  await wallet.goTo('Home');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await page.getByRole('group', { name: 'People on this device' }).getByRole('link', { name: 'This device' }).click();
  await page.getByRole('button', { name: 'Remove Alex Morgan from this device' }).click();
  await expect(page.getByText('Everything for Alex Morgan is saved with the council, so nothing will be lost.')).toBeVisible();
  await page.getByRole('button', { name: 'Yes, remove Alex Morgan' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Connect to your council' })).toBeVisible();
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tally.v1.records.')));
  expect(left).toEqual([]);
  expect((await council.spends()).map((s) => s.body.payee)).toEqual(['Corner Shop']);
});

test('a PIN lock hides the records when the app opens and after minutes without use', async ({ page, council, wallet }) => {
  await page.clock.install();
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await page.getByRole('group', { name: 'People on this device' }).getByRole('link', { name: 'This device' }).click();
  await page.getByLabel('New PIN').fill('2468');
  await page.getByLabel('The same PIN again').fill('2469');
  await page.getByRole('button', { name: 'Turn on the PIN lock' }).click();
  await expect(page.getByLabel('New PIN')).toHaveAccessibleDescription(/The two PINs are different/);
  await page.getByLabel('The same PIN again').fill('2468');
  await page.getByLabel('Lock after').selectOption({ label: '2 minutes without use' });
  await page.getByRole('button', { name: 'Turn on the PIN lock' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The PIN lock is on' })).toContainText('after 2 minutes');

  // Opening the app shows the lock, and nothing of the records.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Tally is locked' })).toBeVisible();
  expect((await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze()).violations).toEqual([]);
  await expect(page.getByText('Alex Morgan')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await page.getByLabel('PIN', { exact: true }).fill('1111');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByLabel('PIN', { exact: true })).toHaveAccessibleDescription('Error: That PIN is not right. Try again.');
  await page.getByLabel('PIN', { exact: true }).fill('2468');
  await page.getByRole('button', { name: 'Unlock' }).click();
  // Back where the person was.
  await expect(page.getByRole('heading', { level: 1, name: 'This device' })).toBeVisible();
  // Whether the browser promised to keep the records is said in words.
  await expect(page.getByRole('region', { name: 'Storage on this device' })).toContainText(/(has agreed to|has not promised to|does not say whether it will) keep Tally's records/);
  await wallet.goTo('Home');
  await expect(wallet.heading('Alex Morgan')).toBeVisible();

  // Left alone for more than two minutes, it locks again.
  await page.clock.fastForward('02:30');
  await expect(page.getByRole('heading', { level: 1, name: 'Tally is locked' })).toBeVisible();
});

test('without a council: a self-funder sets up a budget, and connecting later keeps everything logged', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await page.getByRole('link', { name: 'Use Tally without a council' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Use Tally without a council' })).toBeVisible();
  expect((await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze()).violations).toEqual([]);
  await page.getByRole('button', { name: 'Start using Tally' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter your name.');
  await expect(page.getByRole('alert')).toContainText('Line 1: enter what this part of your care is');
  await page.getByLabel('Your name').fill('Chris Taylor');
  await page.getByLabel('What it is for').fill('Carer visits');
  await page.getByLabel('Budget').fill('320');
  await page.getByLabel('How often').selectOption({ label: 'Every week' });
  await page.getByRole('button', { name: 'Start using Tally' }).click();

  await expect(wallet.heading('Chris Taylor')).toBeVisible();
  await expect(wallet.syncStatus).toContainText('Kept on this device only');
  await wallet.goTo('Money in');
  await page.getByLabel('Amount paid in').fill('500');
  await page.getByRole('button', { name: 'Record money in' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Recorded' })).toContainText('Recorded £500.00 paid in');
  await wallet.logSpend({ amount: '80', payee: 'Bright Homecare', planLine: 'Carer visits' });
  await expect(wallet.balance).toContainText('£420.00');
  await expect(wallet.spending.filter({ hasText: 'Bright Homecare' })).toContainText('Kept on this device');

  // Later, Chris gets a direct payment and connects to the council.
  await page.getByRole('group', { name: 'People on this device' }).getByRole('link', { name: 'This device' }).click();
  await page.getByRole('link', { name: 'Connect Chris Taylor to a council' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Connect to your council' })).toBeVisible();
  await page.getByLabel('Pairing code').fill(council.newPairingCode('DP-000002'));
  await page.getByRole('button', { name: 'Connect this device' }).click();
  await expect(wallet.heading('Pat Morgan')).toBeVisible();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await expect(wallet.spending.filter({ hasText: 'Bright Homecare' })).toContainText('Saved to the council');
  // The council's payment and the records Chris kept on the device, together.
  await expect(wallet.balance).toContainText('£940.00');
  const entries = await council.entries('DP-000002');
  expect(entries.map((e) => (e.body as { type: string }).type).sort()).toEqual(['contribution', 'payment_in', 'spend']);
  await expect(page.getByRole('group', { name: 'People on this device' }).getByRole('button')).toHaveCount(0);
});
