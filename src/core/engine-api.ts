/**
 * The seam between the engine and everything that shows it (dashboard,
 * headless commands). The engine keeps one immutable snapshot and publishes it
 * at most ~10 times per second; byte counters are sampled on that tick.
 * Discrete events go out separately as typed `EngineEvent`s.
 *
 * Strings that come from peers (names, chat text, file names) are stored and
 * carried here exactly as received; every place that prints them must pass them
 * through `toTerminalSafe` (screen) or `toJsonSafe` (JSON output) first.
 */
import type { DeviceId } from '../protocol/device-id.js';

export type PeerState = 'online' | 'connecting' | 'stale' | 'offline';

export interface PeerView {
  readonly deviceId: DeviceId;
  readonly shortId: string;
  /** Local name for a pinned peer, else the name it announced. */
  readonly name: string;
  /** Pinned after pairing (or `trust add`). */
  readonly verified: boolean;
  readonly state: PeerState;
  /** Last measured heartbeat round trip. */
  readonly rttMs?: number;
  /** Wall-clock ms of the last sign of life (discovery or session traffic). */
  readonly lastSeen?: number;
  /** host:port we know it by. */
  readonly address?: string;
}

export type TransferDirection = 'send' | 'receive';
export type TransferState =
  | 'offered' // waiting for the receiver to answer
  | 'queued' // in the outbox, peer offline
  | 'retrying' // in the outbox, a later attempt is scheduled
  | 'active'
  | 'paused' // e.g. disk full, or the link dropped; resumes
  | 'verifying'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'denied';

export interface TransferView {
  readonly id: string;
  readonly direction: TransferDirection;
  readonly peerId: DeviceId;
  readonly peerName: string;
  /** What to call it on one line: the folder name, or the file name, or "3 files". */
  readonly label: string;
  readonly fileCount: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Bytes per second, sampled. */
  readonly rate: number;
  /** Seconds left at the current rate; undefined when unknown. */
  readonly etaSeconds?: number;
  readonly state: TransferState;
  readonly attempts: number;
  /** Monotonic ms of the next outbox attempt (queued / retrying). */
  readonly nextAttemptAt?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export type ChatState = 'queued' | 'sent' | 'delivered' | 'received' | 'failed';

export interface ChatMessageView {
  readonly id: string;
  readonly peerId: DeviceId;
  readonly direction: 'in' | 'out';
  readonly text: string;
  /** Wall-clock ms. */
  readonly at: number;
  readonly state: ChatState;
}

export interface PairingView {
  readonly id: string;
  readonly peerId: DeviceId;
  readonly peerName: string;
  readonly address: string;
  readonly direction: 'incoming' | 'outgoing';
  /** Six digits, present once both nonces are known. */
  readonly code?: string;
  /** Whether this side has already confirmed (waiting for the other). */
  readonly confirmedLocally: boolean;
  /** Monotonic ms when this request times out. */
  readonly expiresAt?: number;
}

export interface OfferFileView {
  readonly path: string;
  readonly size: number;
}

export interface OfferView {
  readonly id: string;
  readonly peerId: DeviceId;
  readonly peerName: string;
  readonly files: readonly OfferFileView[];
  readonly totalBytes: number;
  /** Free bytes in the downloads folder, minus what running transfers will use. */
  readonly freeBytes?: number;
  /** The folder the files will land in. */
  readonly destination?: string;
}

export type NoticeLevel = 'info' | 'warn' | 'error';

export interface Notice {
  readonly id: number;
  readonly level: NoticeLevel;
  readonly text: string;
  /** Monotonic ms when it appeared; the UI lets it fade after a few seconds. */
  readonly at: number;
}

export interface SelfView {
  readonly deviceId: DeviceId;
  readonly shortId: string;
  readonly name: string;
  /** "0.0.0.0:51515" or similar, once listening. */
  readonly listenAddress?: string;
  /** Relay state, later issue. */
  readonly relay?: string;
}

export interface EngineSnapshot {
  readonly self: SelfView;
  readonly peers: readonly PeerView[];
  readonly transfers: readonly TransferView[];
  readonly chats: Readonly<Record<string, readonly ChatMessageView[]>>;
  readonly pairings: readonly PairingView[];
  readonly offers: readonly OfferView[];
  readonly notices: readonly Notice[];
}

export type PathCheck =
  | {
      ok: true;
      kind: 'file' | 'folder';
      /** Bytes: the file's, or the total of the regular files in the folder. */
      size: number;
      /** Regular files in a folder (absent for a file, or a folder too big to count while typing). */
      readonly files?: number;
    }
  | { ok: false; reason: string };

/** One setting as `peerdeck config list` shows it: the value as the user would type it. */
export interface SettingView {
  readonly key: string;
  readonly text: string;
  readonly source: 'setting' | 'default';
  /** A running engine takes a change at once (else at its next start). */
  readonly live: boolean;
  readonly summary: string;
}

/** What became of a change (see settings-service.ts `Applied`). */
export interface SettingChange {
  readonly key: string;
  readonly text: string;
  readonly applied: 'now' | 'restart' | 'overridden' | 'saved';
}

/** What the dashboard can ask of the engine. All peer arguments are device IDs. */
export interface EngineHandle {
  subscribe(listener: () => void): () => void;
  getSnapshot(): EngineSnapshot;
  sendChat(peerId: DeviceId, text: string): Promise<void>;
  sendFiles(peerId: DeviceId, paths: readonly string[]): Promise<void>;
  startPairing(peerId: DeviceId): Promise<void>;
  answerPairing(pairingId: string, accept: boolean): void;
  answerOffer(offerId: string, accept: boolean): void;
  cancelTransfer(transferId: string): void;
  retryNow(transferId: string): void;
  /** Validates a local path the user typed (exists, readable). */
  checkPath(path: string): Promise<PathCheck>;
  /** Tab completion for a local path. Returns candidates (full paths). */
  completePath(partial: string): Promise<string[]>;
  /** Clean stop: BYE to peers, sockets closed. */
  shutdown(): Promise<void>;

  // ---- settings (`peerdeck config`), where the engine has a store to keep them in
  /** Every setting, in table order. */
  settings?(): Promise<readonly SettingView[]>;
  /**
   * Parse `text` as the user typed it (relative paths against the dashboard's folder), save
   * it, and apply it at once where that is safe. Throws an EngineError: ERR_SETTING_UNKNOWN,
   * ERR_SETTING_INVALID (with the reason in its message).
   */
  setSetting?(key: string, text: string): Promise<SettingChange>;

  // ---- only a dashboard attached to an engine in another process (RemoteEngine) has these
  /** True when the engine runs in another process. */
  readonly isRemote?: boolean;
  /** Leave the engine running and let go of it. */
  detach?(): Promise<void>;
  /** The link to that engine; `subscribe` listeners hear about changes. */
  linkState?(): LinkState;
  /** Why the link was lost, when it was. */
  lostReason?(): string | undefined;
  /** Start the engine again after it went away, and attach to it. */
  restart?(): Promise<void>;
}

export type LinkState = 'attached' | 'lost' | 'starting';
