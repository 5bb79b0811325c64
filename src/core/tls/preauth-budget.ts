/**
 * The listener's pre-auth budget: how many connections may sit between TCP
 * accept and a finished handshake + pin check, and who gets one of those slots.
 * Modelled on OpenSSH: `MaxStartups start:rate:full` (random early drop as the
 * budget fills instead of refusing every newcomer), a per-source share (so one
 * address cannot take the whole budget, like `PerSourceMaxStartups`), and a
 * reserved share for addresses that completed a pinned handshake before (an
 * attacker who floods from elsewhere cannot lock known peers out).
 *
 * Pure bookkeeping: no sockets, no timers; randomness is injected.
 */
import type { Random } from '../clock.js';

/**
 * Pending handshakes from addresses without a pinned handshake on record. One
 * LAN peer needs one to three at once (session, bulk, pairing); 64 leaves room
 * for a busy relay while keeping pre-auth memory small (each is a TLS socket,
 * ~50 KiB). KDE Connect CVE-2020-26164 is what an unbounded pool costs.
 */
export const PREAUTH_MAX_PENDING = 64;
/** Random early drop starts once this many are pending (OpenSSH's default `MaxStartups` start is 10). */
export const PREAUTH_DROP_START = 16;
/** Drop probability at `PREAUTH_DROP_START`, rising linearly to 1 at `PREAUTH_MAX_PENDING` (OpenSSH: 30 %). */
export const PREAUTH_DROP_RATE = 0.3;
/**
 * Pending handshakes one source address may hold. A peer needs at most three
 * at once; 8 leaves room for a few hosts behind one NAT, and bounds a single
 * flooding address to 1/8 of the budget.
 */
export const PREAUTH_PER_SOURCE = 8;
/**
 * Slots beyond `PREAUTH_MAX_PENDING` only addresses with a pinned handshake on
 * record may use (no early drop for them either): a flood from new addresses
 * fills the shared pool, never this one.
 */
export const PREAUTH_RESERVED = 16;
/** Addresses remembered as "completed a pinned handshake" (least recently used forgotten first). */
export const PREAUTH_MAX_KNOWN_ADDRESSES = 1_024;

export interface PreauthLimits {
  readonly maxPending: number;
  readonly dropStart: number;
  readonly dropRate: number;
  readonly perSource: number;
  readonly reserved: number;
  readonly maxKnownAddresses: number;
}

export const DEFAULT_PREAUTH_LIMITS: PreauthLimits = {
  maxPending: PREAUTH_MAX_PENDING,
  dropStart: PREAUTH_DROP_START,
  dropRate: PREAUTH_DROP_RATE,
  perSource: PREAUTH_PER_SOURCE,
  reserved: PREAUTH_RESERVED,
  maxKnownAddresses: PREAUTH_MAX_KNOWN_ADDRESSES,
};

export type PreauthRefusal = 'source-share' | 'early-drop' | 'too-many-pending';

export type Admission = { readonly ok: true; readonly known: boolean; release(): void } | { readonly ok: false; readonly reason: PreauthRefusal };

/** One key per address: an IPv4-mapped IPv6 address is its IPv4 address. */
export function sourceKey(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class PreauthBudget {
  private readonly perSource = new Map<string, number>();
  /** Insertion order = least recently confirmed first. */
  private readonly known = new Map<string, true>();
  private total = 0;

  constructor(
    readonly limits: PreauthLimits,
    private readonly random: Random,
  ) {}

  /** Connections holding a slot now. */
  get pending(): number {
    return this.total;
  }

  /** Distinct addresses holding at least one slot (bounded by `pending`). */
  get sources(): number {
    return this.perSource.size;
  }

  isKnown(address: string): boolean {
    return this.known.has(sourceKey(address));
  }

  /** `address` completed a pinned handshake: it gets the reserved share from now on. */
  markKnown(address: string): void {
    const key = sourceKey(address);
    this.known.delete(key);
    this.known.set(key, true);
    if (this.known.size > this.limits.maxKnownAddresses) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  /** Ask for a slot for a new connection from `address`; `release` gives it back (idempotent). */
  admit(address: string): Admission {
    const key = sourceKey(address);
    const l = this.limits;
    const mine = this.perSource.get(key) ?? 0;
    if (mine >= l.perSource) return { ok: false, reason: 'source-share' };
    const known = this.known.has(key);
    if (known) {
      if (this.total >= l.maxPending + l.reserved) return { ok: false, reason: 'too-many-pending' };
    } else {
      if (this.total >= l.maxPending) return { ok: false, reason: 'too-many-pending' };
      if (this.total >= l.dropStart && l.maxPending > l.dropStart) {
        const p = l.dropRate + ((1 - l.dropRate) * (this.total - l.dropStart)) / (l.maxPending - l.dropStart);
        if (this.random.next() < p) return { ok: false, reason: 'early-drop' };
      }
    }
    this.total++;
    this.perSource.set(key, mine + 1);
    let released = false;
    return {
      ok: true,
      known,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = (this.perSource.get(key) ?? 1) - 1;
        if (n > 0) this.perSource.set(key, n);
        else this.perSource.delete(key);
      },
    };
  }
}
