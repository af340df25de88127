// The real council server, run on loopback for one test.
import { spawn, execFileSync, ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.TALLY_SERVER_BIN ?? '../target/debug/tally-council';
export const DIST = process.env.TALLY_DIST ?? '../dist';
export const DEMO_REFERENCE = 'DP-000001';

export type Entry = {
  id: string;
  account: string;
  author: { name: string; device: string | null; device_seq?: number };
  recorded_at: string;
  body: { type: 'spend' | 'payment_in'; date: string; amount: string; payee?: string; plan_line?: string; receipts?: string[] };
};

type Device = { token: string; device_id: string; account: { account_id: string } };

export class Council {
  private process: ChildProcessWithoutNullStreams | null = null;
  private log = '';
  port = 0;
  /** The code printed at start-up for the demo account. */
  pairingCode = '';
  private checkers = new Map<string, Device>();
  /** The built apps it serves (a test may point it at another build, then `launch` again). */
  dist = DIST;
  /** Every answer the server sent, when started with `logRequests`: method, path, status. */
  readonly answers: { method: string; path: string; status: number }[] = [];
  /** Every file sent as a delta of a version the browser had, with `logRequests`. */
  readonly deltas: { path: string; bytes: number }[] = [];

  private constructor(
    readonly dataDir: string,
    private readonly extraArgs: string[],
    private readonly logRequests = false,
  ) {}

  /** Starts a server; `extraArgs` go after `serve` (e.g. `--public-url`). */
  static async start(extraArgs: string[] = [], options: { logRequests?: boolean } = {}): Promise<Council> {
    const council = new Council(mkdtempSync(join(tmpdir(), 'tally-e2e-')), extraArgs, options.logRequests ?? false);
    await council.launch();
    return council;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Starts the server (again), on the same port and data as before. */
  async launch(): Promise<void> {
    const child = spawn(BIN, [
      '--data-dir', this.dataDir,
      'serve', '--addr', `127.0.0.1:${this.port}`, '--seed-demo', '--dist', this.dist, ...this.extraArgs,
    ], {
      env: { ...process.env, RUST_LOG: this.logRequests ? 'warn,tower_http::trace=debug,tally_council::app_versions=info' : 'warn', NO_COLOR: '1' },
    });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`council server did not start:\n${this.log}`)), 30_000);
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk.toString();
        const port = out.match(/Listening on:\s+http:\/\/127\.0\.0\.1:(\d+)/);
        const code = out.match(/Demo pairing code:\s+(\S+)/);
        if (port && code && out.includes('Press Ctrl+C')) {
          this.port = Number(port[1]);
          this.pairingCode = code[1];
          clearTimeout(timer);
          resolve();
        }
      });
      let pending = '';
      child.stderr.on('data', (chunk) => {
        this.log += chunk.toString();
        if (this.logRequests) {
          // tower-http's trace (on stderr): "request{method=GET uri=/sw.js ...}: ... finished processing request ... status=200".
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) {
            const found = line.match(/request\{method=(\w+) uri=(\S+) [^}]*\}.*finished processing request.*status=(\d+)/);
            if (found) this.answers.push({ method: found[1], path: found[2], status: Number(found[3]) });
            const delta = line.match(/sent as a delta of the version the browser has path=(\S+) bytes=(\d+)/);
            if (delta) this.deltas.push({ path: delta[1], bytes: Number(delta[2]) });
          }
        }
      });
      child.on('exit', (status) => {
        clearTimeout(timer);
        reject(new Error(`council server exited (${status}):\n${this.log}`));
      });
    });
    child.removeAllListeners('exit');
  }

  /** Stops the server, as a power cut or a deploy would. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Adds a made-up caseload to the demo council (`accounts` more people, each with `days`
   *  of records up to today), with the server stopped meanwhile: a council's records are
   *  there before the officer signs in. */
  async seedCaseload(accounts: number, days = 365): Promise<void> {
    await this.stop();
    execFileSync(BIN, ['--data-dir', this.dataDir, 'seed-caseload', '--accounts', String(accounts), '--days', String(days)], { env: { ...process.env, RUST_LOG: 'warn' } });
    await this.launch();
  }

  /** A fresh one-time code for an account, as a council officer would issue. */
  newPairingCode(reference = DEMO_REFERENCE): string {
    return execFileSync(BIN, ['--data-dir', this.dataDir, 'pairing-code', '--reference', reference])
      .toString()
      .trim();
  }

  /** Sets up a council with no demo data from the command line, as a council's IT team
   *  would; the one-time link it prints for the first administrator. */
  createCouncil(name: string, adminEmail: string, adminName: string): string {
    const said = execFileSync(BIN, [
      '--data-dir', this.dataDir,
      'create-council', '--name', name, '--admin-email', adminEmail, '--admin-name', adminName, '--public-url', this.url,
    ], { env: { ...process.env, RUST_LOG: 'warn' } }).toString();
    const link = said.trim().split('\n').pop() ?? '';
    if (!link.includes('/council/set-password#')) throw new Error(`no link in: ${said}`);
    return link;
  }

  /** Pairs a device through the API. */
  async pair(code = this.newPairingCode()): Promise<Device> {
    const response = await fetch(`${this.url}api/v1/pairings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, device_label: 'Test checker' }),
    });
    if (response.status !== 201) throw new Error(`pairing failed: ${response.status} ${await response.text()}`);
    return response.json();
  }

  /** Every entry the council holds for the demo account, read through the API by a
   *  device of its own, as another phone of the same person would see them. */
  async entries(reference = DEMO_REFERENCE): Promise<Entry[]> {
    if (!this.checkers.has(reference)) this.checkers.set(reference, await this.pair(this.newPairingCode(reference)));
    const checker = this.checkers.get(reference)!;
    const all: Entry[] = [];
    let cursor = 0;
    for (;;) {
      const response = await fetch(
        `${this.url}api/v1/accounts/${checker.account.account_id}/entries?after=${cursor}`,
        { headers: { authorization: `Bearer ${checker.token}` } },
      );
      if (!response.ok) throw new Error(`pull failed: ${response.status}`);
      const page = await response.json();
      all.push(...page.entries);
      cursor = page.cursor;
      if (!page.more) return all;
    }
  }

  /** A receipt photo as the council holds it (read by another device of the person), or
   *  null when it holds none by that name. */
  async receipt(sha256: string, reference = DEMO_REFERENCE): Promise<Buffer | null> {
    await this.entries(reference);
    const checker = this.checkers.get(reference)!;
    const response = await fetch(`${this.url}api/v1/accounts/${checker.account.account_id}/receipts/${sha256}`, {
      headers: { authorization: `Bearer ${checker.token}` },
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`receipt fetch failed: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** An account's support plan, as the council holds it. */
  plan(reference = DEMO_REFERENCE): any {
    return JSON.parse(execFileSync(BIN, ['--data-dir', this.dataDir, 'plan', '--reference', reference]).toString());
  }

  /** Gives an account a new support plan, as the council's officers do. */
  setPlan(plan: unknown, reference = DEMO_REFERENCE): void {
    const file = join(this.dataDir, 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    execFileSync(BIN, ['--data-dir', this.dataDir, 'set-plan', '--reference', reference, '--file', file]);
  }

  /** Stops a device's token working, as the council does for a lost phone. */
  revokeDevice(deviceId: string): string {
    return execFileSync(BIN, ['--data-dir', this.dataDir, 'revoke-device', '--device', deviceId]).toString();
  }

  async spends(reference = DEMO_REFERENCE): Promise<Entry[]> {
    return (await this.entries(reference)).filter((e) => e.body.type === 'spend');
  }
}
