/**
 * An EngineHandle for a dashboard attached to an engine that runs in another
 * process, over the control socket (dashboard-service.ts is the other end).
 *
 * The snapshot is rebuilt from pushed patches (snapshot-patch.ts): immutable,
 * unchanged slices and items kept by reference, so the UI's selectors behave
 * as they do in-process. Engine clock times (notice `at`, `nextAttemptAt`) are
 * moved onto this process's clock. Calls that return void in EngineHandle
 * (answerOffer, …) report a failure as a notice in the snapshot.
 *
 * When the engine goes away the last snapshot stays, `linkState()` turns
 * 'lost' and subscribers hear about it; `restart()` runs the start function it
 * was given and attaches again. `detach()` leaves the engine running;
 * `shutdown()` asks it to stop.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { EngineHandle, EngineSnapshot, LinkState, Notice, PathCheck, SettingChange, SettingView } from '../engine-api.js';
import { remoteSettings, setSettingText, settingViews } from '../settings/settings-service.js';

export type { LinkState };
import { EngineError, isEngineError } from '../errors.js';
import type { DeviceId } from '../../protocol/device-id.js';
import { connectControl } from './control-client.js';
import type { ControlClient } from './control-client.js';
import type { DashboardCall, DashboardHello } from './dashboard-service.js';
import { EMPTY_SNAPSHOT, applySnapshotPatch } from './snapshot-patch.js';
import type { SnapshotPatch } from './snapshot-patch.js';


export interface RemoteEngineOptions {
  /** The identity's control socket (to attach again after a restart). */
  socketPath: string;
  /** This build's version; the engine refuses a different one. */
  version: string;
  clock?: Clock;
  /** Start the identity's engine again (a background engine, or one in this process). */
  start?: () => Promise<void>;
  /** Relative paths the user types are taken relative to this (default process.cwd()). */
  cwd?: string;
  /** How long a dashboard waits for the first snapshot (default 5000 ms). */
  attachTimeoutMs?: number;
}

/** Notices of our own (failed calls) get negative ids, never clashing with the engine's. */
const LOCAL_NOTICE_TTL_MS = 5000;

interface Pushed {
  hello?: DashboardHello;
  patch?: SnapshotPatch;
}

export class RemoteEngine implements EngineHandle {
  readonly isRemote = true;
  private client: ControlClient | undefined;
  private remote: EngineSnapshot = EMPTY_SNAPSHOT;
  private current: EngineSnapshot = EMPTY_SNAPSHOT;
  private local: Notice[] = [];
  private localSeq = 0;
  private offset = 0;
  private state: LinkState = 'starting';
  private reason: string | undefined;
  private engineVersion: string | undefined;
  private enginePid: number | undefined;
  private leaving = false;
  private readonly listeners = new Set<() => void>();
  private readonly clock: Clock;

  private constructor(private readonly o: RemoteEngineOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /** Attach over `client` (or a new connection); resolves once the first snapshot is in. */
  static async attach(options: RemoteEngineOptions, client?: ControlClient): Promise<RemoteEngine> {
    const r = new RemoteEngine(options);
    await r.connect(client);
    return r;
  }

  // ------------------------------------------------------------ link

  linkState(): LinkState {
    return this.state;
  }

  /** Why the link was lost (for the "engine stopped" screen). */
  lostReason(): string | undefined {
    return this.reason;
  }

  get pid(): number | undefined {
    return this.enginePid;
  }

  get version(): string | undefined {
    return this.engineVersion;
  }

  get canRestart(): boolean {
    return this.o.start !== undefined;
  }

  /** Start the engine again (the function given at attach time) and attach to it. */
  async restart(): Promise<void> {
    if (this.state !== 'lost' || this.leaving) return;
    if (!this.o.start) throw new EngineError('ERR_ENGINE_GONE', 'No way to start the engine from here', 'local');
    this.setState('starting');
    try {
      await this.o.start();
      await this.connect();
    } catch (err) {
      this.lose(err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  /** Leave the engine running; close our connection. */
  async detach(): Promise<void> {
    this.leaving = true;
    this.client?.close();
    this.client = undefined;
  }

  /** Ask the engine to stop (BYE to peers, its process exits), then close. */
  async shutdown(): Promise<void> {
    if (this.leaving) return;
    const client = this.client;
    this.leaving = true;
    if (!client || this.state !== 'attached') return;
    try {
      await client.call('dashboard.stop', { version: this.o.version });
    } finally {
      client.close();
      this.client = undefined;
    }
  }

  private async connect(given?: ControlClient): Promise<void> {
    const client = given ?? (await connectControl(this.o.socketPath));
    this.client = client;
    let ready: (() => void) | undefined;
    let failed: ((err: unknown) => void) | undefined;
    const first = new Promise<void>((res, rej) => {
      ready = res;
      failed = rej;
    });
    const timer = this.clock.setTimeout(
      () => failed?.(new EngineError('ERR_TIMEOUT', 'The engine sent no snapshot', 'retryable')),
      this.o.attachTimeoutMs ?? 5000,
    );
    const onEvent = (e: unknown): void => {
      const { hello, patch } = (e ?? {}) as Pushed;
      if (hello) {
        this.offset = this.clock.now() - hello.now;
        this.engineVersion = hello.version;
        this.enginePid = hello.pid;
        this.remote = EMPTY_SNAPSHOT;
      }
      if (patch) this.applyPatch(patch);
      if (hello) {
        this.clock.clearTimeout(timer);
        this.reason = undefined;
        this.setState('attached');
        ready?.();
      }
    };
    client.call('dashboard.attach', { version: this.o.version }, { onEvent }).then(
      () => this.lose('The engine ended the dashboard stream'),
      (err: unknown) => {
        const e = translate(err, this.o.version);
        failed?.(e);
        this.lose(e.message);
      },
    );
    try {
      await first;
    } catch (err) {
      this.clock.clearTimeout(timer);
      client.close();
      if (this.client === client) this.client = undefined;
      throw err;
    } finally {
      ready = undefined;
      failed = undefined;
    }
  }

  private applyPatch(patch: SnapshotPatch): void {
    const offset = this.offset;
    this.remote = applySnapshotPatch(this.remote, patch, {
      transfer: (t) => (t.nextAttemptAt === undefined ? t : { ...t, nextAttemptAt: t.nextAttemptAt + offset }),
      notice: (n) => ({ ...n, at: n.at + offset }),
    });
    this.republish();
  }

  private republish(): void {
    const now = this.clock.now();
    this.local = this.local.filter((n) => now - n.at < LOCAL_NOTICE_TTL_MS);
    this.current = this.local.length === 0 ? this.remote : { ...this.remote, notices: [...this.remote.notices, ...this.local] };
    this.notify();
  }

  private lose(reason: string): void {
    if (this.leaving || this.state === 'lost') return;
    this.client?.close();
    this.client = undefined;
    this.reason = reason;
    this.setState('lost');
  }

  private setState(s: LinkState): void {
    if (this.state === s) return;
    this.state = s;
    this.notify();
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private note(what: string, err: unknown): void {
    const text = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    this.local = [...this.local, { id: -++this.localSeq, level: 'error', text, at: this.clock.now() }];
    this.republish();
  }

  private call<T>(op: DashboardCall, args: unknown[]): Promise<T> {
    const client = this.client;
    if (!client || this.state !== 'attached') {
      return Promise.reject(new EngineError('ERR_ENGINE_GONE', 'The engine is not running', 'retryable'));
    }
    return client.call<T>('dashboard.call', { version: this.o.version, op, args });
  }

  private fireAndForget(what: string, op: DashboardCall, args: unknown[]): void {
    this.call(op, args).catch((err: unknown) => this.note(what, err));
  }

  /** The engine runs elsewhere, with its own working directory: send absolute paths. */
  private abs(p: string): string {
    const t = p.trim();
    if (t === '' || t === '~' || t.startsWith('~/') || isAbsolute(t)) return p;
    return resolve(this.cwd(), t) + (t.endsWith(sep) ? sep : '');
  }

  private cwd(): string {
    return this.o.cwd ?? process.cwd();
  }

  // ------------------------------------------------------------ EngineHandle

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): EngineSnapshot => this.current;

  /** Over the same control methods as `peerdeck config` (the engine's settings service). */
  async settings(): Promise<readonly SettingView[]> {
    return settingViews(remoteSettings(this.linked()));
  }

  async setSetting(key: string, text: string): Promise<SettingChange> {
    return setSettingText(remoteSettings(this.linked()), key, text, this.cwd());
  }

  private linked(): ControlClient {
    const client = this.client;
    if (!client || this.state !== 'attached') throw new EngineError('ERR_ENGINE_GONE', 'The engine is not running', 'retryable');
    return client;
  }

  async sendChat(peerId: DeviceId, text: string): Promise<void> {
    await this.call('sendChat', [peerId, text]);
  }

  async sendFiles(peerId: DeviceId, paths: readonly string[]): Promise<void> {
    await this.call('sendFiles', [peerId, paths.map((p) => this.abs(p))]);
  }

  async startPairing(peerId: DeviceId): Promise<void> {
    await this.call('startPairing', [peerId]);
  }

  answerPairing(pairingId: string, accept: boolean): void {
    this.fireAndForget('Pairing answer failed', 'answerPairing', [pairingId, accept]);
  }

  answerOffer(offerId: string, accept: boolean): void {
    this.fireAndForget('Answer failed', 'answerOffer', [offerId, accept]);
  }

  cancelTransfer(transferId: string): void {
    this.fireAndForget('Cancel failed', 'cancelTransfer', [transferId]);
  }

  retryNow(transferId: string): void {
    this.fireAndForget('Retry failed', 'retryNow', [transferId]);
  }

  checkPath(path: string): Promise<PathCheck> {
    return this.call('checkPath', [this.abs(path)]);
  }

  async completePath(partial: string): Promise<string[]> {
    const sent = partial.trim() === '' ? `${this.cwd()}${sep}` : this.abs(partial);
    const found = await this.call<string[]>('completePath', [sent]);
    if (sent === partial) return found;
    // Typed relative: show the candidates relative too, as an in-process engine would.
    const base = this.cwd().endsWith(sep) ? this.cwd() : `${this.cwd()}${sep}`;
    return found.map((c) => (c.startsWith(base) ? c.slice(base.length) : c));
  }
}

/** An older engine that has no dashboard methods is a version mismatch too. */
function translate(err: unknown, ours: string): EngineError {
  if (isEngineError(err, 'ERR_CONTROL') && /unknown method/.test(err.message)) {
    return new EngineError(
      'ERR_VERSION_MISMATCH',
      `The running engine is a peerdeck version that cannot serve dashboards (this dashboard is peerdeck ${ours}); stop it and start it again with this version`,
      'usage',
    );
  }
  if (err instanceof EngineError) return err;
  return new EngineError('ERR_ENGINE_GONE', err instanceof Error ? err.message : String(err), 'retryable');
}
