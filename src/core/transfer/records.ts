/**
 * What the transfer manager persists (through the engine's `openLog`), so a
 * transfer survives a restart of either side. Never a record per chunk: the
 * receiver's per-chunk progress lives in the partial dir's checkpoints, these
 * journals only hold per-transfer and per-file facts.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { OfferFile } from '../../protocol/messages/transfer.js';
import type { SourceStat } from './scan.js';

export const OUTGOING_LOG = 'transfers-out';
export const INCOMING_LOG = 'transfers-in';
export const HASH_CACHE_LOG = 'transfer-hashes';

export type EndState = 'done' | 'failed' | 'cancelled' | 'denied';

/** A file being sent: its offered path, where it is here, and the version offered. */
export interface OutgoingFileRecord extends SourceStat {
  readonly rel: string;
  readonly abs: string;
}

/**
 * As journalled: `abs` only where `roots` (top-level name → local path) does
 * not give it back (a name that is not NFC on disk), keeping big offers small.
 */
export type JournalledFile = Omit<OutgoingFileRecord, 'abs'> & { readonly abs?: string };

/** Sender journal. */
export type OutRecord =
  | {
      readonly op: 'offer';
      readonly id: string;
      readonly peer: DeviceId;
      readonly chunkSize: number;
      /** Top-level name of each source → its local path. */
      readonly roots: Readonly<Record<string, string>>;
      readonly files: readonly JournalledFile[];
      readonly dirs: readonly string[];
      readonly at: number;
    }
  /** A source file changed between attempts: this is its new version. */
  | ({ readonly op: 'restat'; readonly id: string; readonly file: number } & SourceStat)
  | { readonly op: 'end'; readonly id: string; readonly state: EndState; readonly code?: string; readonly reason?: string };

/** Receiver journal. */
export type InRecord =
  | {
      readonly op: 'accept';
      readonly id: string;
      readonly peer: DeviceId;
      readonly files: readonly OfferFile[];
      readonly dirs: readonly string[];
      readonly chunkSize: number;
      readonly at: number;
    }
  /** The sender re-offered a file with a new size: its partial data was dropped. */
  | { readonly op: 'resize'; readonly id: string; readonly file: number; readonly size: number }
  /** File data verified whole against its root and fsynced (in the partial dir). */
  | { readonly op: 'verified'; readonly id: string; readonly file: number; readonly root: string }
  /** Publishing: the top-level folder `name` of the offer was created as `as`. */
  | { readonly op: 'top'; readonly id: string; readonly name: string; readonly as: string }
  /** Publishing: file `file` is linked at `path` (relative to downloads). */
  | { readonly op: 'published'; readonly id: string; readonly file: number; readonly path: string }
  | { readonly op: 'end'; readonly id: string; readonly state: EndState; readonly code?: string; readonly reason?: string };


/** Where `rel` lives if its name on disk is its NFC name: `top/rest` → roots[top]/rest. */
export function derivedAbs(roots: Readonly<Record<string, string>>, rel: string): string | undefined {
  const slash = rel.indexOf('/');
  const root = roots[slash < 0 ? rel : rel.slice(0, slash)];
  if (root === undefined) return undefined;
  return slash < 0 ? root : `${root}${rel.slice(slash)}`;
}

export function toJournal(files: readonly OutgoingFileRecord[], roots: Readonly<Record<string, string>>): JournalledFile[] {
  return files.map(({ abs, ...rest }) => (derivedAbs(roots, rest.rel) === abs ? rest : { ...rest, abs }));
}

export function fromJournal(files: readonly JournalledFile[], roots: Readonly<Record<string, string>>): OutgoingFileRecord[] {
  return files.map((f) => ({ ...f, abs: f.abs ?? derivedAbs(roots, f.rel) ?? '' }));
}
