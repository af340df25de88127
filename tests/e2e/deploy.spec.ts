// docs/deploy.md, followed: nginx from Debian with the server block copied from that page
// (and a self-signed certificate made here) in front of the council server started with
// --public-url https://… --behind-proxy. Over HTTPS the wallet pairs, installs and works
// offline; the staff cookie is Secure; every answer has HSTS and the strict policy; and a
// client cannot dodge the pairing limit by claiming another address.
import { test as base, expect, Page } from '@playwright/test';
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Council } from './council';
import { Wallet } from './wallet';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** A free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The nginx configuration in docs/deploy.md (its one `nginx` block). */
function documentedConfig(): string {
  const doc = readFileSync(join(__dirname, '../../docs/deploy.md'), 'utf8');
  const block = doc.match(/```nginx\n([\s\S]*?)```/);
  if (!block) throw new Error('docs/deploy.md has no nginx block');
  return block[1];
}

type Proxy = { url: string; stop: () => Promise<void> };

/** nginx with the documented server block: only the addresses, ports and certificate
 *  paths changed, as a council changes them. */
async function startProxy(upstreamPort: number, httpsPort: number, httpPort: number): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
  ], { stdio: 'ignore' });
  const server = documentedConfig()
    .replaceAll('tally.example.gov.uk', 'localhost')
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`)
    .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace('/etc/ssl/tally/fullchain.pem', cert)
    .replace('/etc/ssl/tally/privkey.pem', key);
  expect(server).toContain(`127.0.0.1:${upstreamPort}`);
  expect(server).toContain(cert);
  const root = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(join(dir, 'nginx.conf'), `${root}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${server}
}
`);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', join(dir, 'nginx.conf')]);
  let log = '';
  child.stderr?.on('data', (chunk) => { log += chunk.toString(); });
  const url = `https://localhost:${httpsPort}/`;
  // Ready when it answers over TLS.
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx stopped: ${log}${readFileSync(`${dir}/logs/error.log`, 'utf8')}`);
    try {
      execFileSync('openssl', ['s_client', '-connect', `127.0.0.1:${httpsPort}`, '-servername', 'localhost'], { input: '', stdio: ['pipe', 'ignore', 'ignore'], timeout: 5000 });
      break;
    } catch {
      if (Date.now() - started > 20_000) throw new Error(`nginx did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const test = base.extend<{ deployed: { council: Council; proxy: Proxy } }>({
  deployed: async ({}, use) => {
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    const council = await Council.start(['--public-url', `https://localhost:${httpsPort}`, '--behind-proxy']);
    const proxy = await startProxy(council.port, httpsPort, httpPort);
    await use({ council, proxy });
    await proxy.stop();
    await council.dispose();
  },
});

// The self-signed certificate is made in the test: the browser is told to accept it, as
// it would trust a council's real one. (Service workers need the flag, not just
// ignoreHTTPSErrors.)
test.use({
  ignoreHTTPSErrors: true,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
  },
});

async function appKeptOffline(page: Page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!registration.active) throw new Error('no active service worker');
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

test('following docs/deploy.md, the wallet installs and works offline over HTTPS behind nginx', async ({ page, context, deployed }) => {
  const { council, proxy } = deployed;
  const wallet = new Wallet(page);
  const answer = await page.goto(proxy.url);
  const headers = answer!.headers();
  expect(headers['strict-transport-security']).toBe('max-age=31536000');
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(headers['server']).toBe('nginx');
  // No policy violation on the way: the app starts under the strict policy.
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });

  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await appKeptOffline(page);

  // Offline: the app opens from the service worker, the record still there.
  await context.setOffline(true);
  await page.reload();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await expect(wallet.spending.filter({ hasText: 'Sunrise Day Centre' })).toContainText('Saved to the council');
  await context.setOffline(false);
  expect(violations).toEqual([]);
});

test('behind nginx the staff cookie is Secure and a client cannot dodge throttling by naming another address', async ({ playwright, deployed }) => {
  const { proxy } = deployed;
  const http = await playwright.request.newContext({ baseURL: proxy.url, ignoreHTTPSErrors: true });
  const signIn = await http.post('api/v1/council/sign-in', {
    data: { email: 'finance.officer@demo.invalid', password: 'demo-officer-password' },
  });
  expect(signIn.status()).toBe(200);
  const cookie = signIn.headers()['set-cookie'];
  expect(cookie).toMatch(/^__Secure-tally_staff=/);
  expect(cookie).toContain('; Secure');
  expect(cookie).toContain('Path=/api/v1/council;');
  const me = await http.get('api/v1/council/me');
  expect(me.status()).toBe(200);
  expect(me.headers()['cache-control']).toBe('no-store');

  // Ten guesses, each claiming to come from somewhere else: nginx replaces the claim with
  // the real address, so the eleventh is turned away.
  for (let n = 0; n < 10; n++) {
    const guess = await http.post('api/v1/pairings', {
      headers: { 'x-forwarded-for': `192.0.2.${n + 1}` },
      data: { code: 'ABCD-EFGH', device_label: 'Guess', held: [] },
    });
    expect(guess.status()).toBe(400);
  }
  const refused = await http.post('api/v1/pairings', {
    headers: { 'x-forwarded-for': '192.0.2.99' },
    data: { code: 'ABCD-EFGH', device_label: 'Guess', held: [] },
  });
  expect(refused.status()).toBe(429);
  expect(refused.headers()['retry-after']).toBeTruthy();
  await http.dispose();
});
