/**
 * Incoming offers, before they are transfers: the per-peer caps, the checks,
 * re-offers of transfers known or ended, the room in the downloads folder
 * (refused when it cannot fit), the answer timeout of a pending offer and the
 * room it was shown with. The TransferManager owns the transfers; this decides
 * what a new OFFER becomes.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';
import type { Offer } from '../../protocol/messages/transfer.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RecordLog } from '../record-log.js';
import { MAX_OFFER_MANIFEST_BYTES } from './constants.js';
import type { TransferEvent } from './events.js';
import { IncomingTransfer } from './incoming.js';
import type { IncomingContext, IncomingTransferState } from './incoming-state.js';
import { peerOverLimits } from './incoming-limits.js';
import { checkOffer, manifestBytes } from './offer-check.js';
import { roomIn, spaceShortfall, type Room } from './offer-space.js';
import type { InRecord } from './records.js';

/** Ended incoming transfer ids remembered (beyond the views) to answer re-offers. */
const MAX_ENDED_IDS = 1000;
/** Unanswered offers one peer may have open at once (each is a dialog and some memory). */
const MAX_PENDING_OFFERS_PER_PEER = 16;

export interface OfferIntakeHost {
  readonly clock: Clock;
  readonly incoming: Map<string, IncomingTransfer>;
  /** Only the peer of each outgoing transfer matters here (an id in use). */
  readonly outgoing: ReadonlyMap<string, { readonly peerId: DeviceId }>;
  ctx(): IncomingContext;
  inLog(): RecordLog<InRecord>;
  readonly reserveBytes?: number;
  sendControl(peerId: DeviceId, msg: Message): boolean;
  policyOf(peerId: DeviceId): 'ask' | 'auto-accept';
  nameOf(peerId: DeviceId): string;
  emit(event: TransferEvent): void;
  /** A new incoming transfer was added: watch for its end. */
  adopted(t: IncomingTransfer): void;
  /** An offer was accepted (the idle watch looks again). */
  accepted(): void;
  tick(): void;
  changed(): void;
}

export class OfferIntake {
  private readonly expiry = new Map<string, TimerHandle>();
  /** Room in the downloads folder when each pending offer arrived (the dialog shows it). */
  private readonly offerRoom = new Map<string, number>();
  /** Ended incoming transfers no longer in views: a re-offer still gets its TRANSFER_DONE (or why it ended), never a second copy. */
  private readonly ended = new Map<string, { peer: DeviceId; reply: Message }>();

  constructor(private readonly h: OfferIntakeHost) {}

  async onOffer(peerId: DeviceId, raw: Offer): Promise<void> {
    const h = this.h;
    // The per-peer caps first: a peer over them gets BUSY before its paths are validated.
    const busy = h.incoming.has(raw.id) || this.ended.has(raw.id) ? undefined : peerOverLimits(peerId, h.incoming.values(), Math.min(manifestBytes(raw), MAX_OFFER_MANIFEST_BYTES), h.policyOf(peerId) === 'auto-accept');
    if (busy) return void h.sendControl(peerId, { type: 'OFFER_DENY', id: raw.id, code: 'BUSY', reason: busy });
    const verdict = checkOffer(raw);
    if (!verdict.ok) return void h.sendControl(peerId, verdict.deny);
    const offer = verdict.offer;
    const ended = this.ended.get(offer.id);
    if (ended && !h.incoming.has(offer.id)) {
      if (ended.peer === peerId) h.sendControl(peerId, ended.reply);
      return;
    }
    const existing = h.incoming.get(offer.id);
    if (existing) {
      if (existing.peerId !== peerId) return void h.sendControl(peerId, { type: 'OFFER_DENY', id: offer.id, code: 'BAD_OFFER', reason: 'transfer id in use' });
      return existing.reoffer(offer);
    }
    if (h.outgoing.get(offer.id)?.peerId === peerId) return void h.sendControl(peerId, { type: 'OFFER_DENY', id: offer.id, code: 'BAD_OFFER', reason: 'transfer id in use' });
    const pending = [...h.incoming.values()].filter((t) => t.peerId === peerId && !t.isAccepted && !t.terminal).length;
    if (pending >= MAX_PENDING_OFFERS_PER_PEER) return void h.sendControl(peerId, { type: 'OFFER_DENY', id: offer.id, code: 'BUSY', reason: `${pending} offers from you are still waiting for an answer` });
    const t = new IncomingTransfer(h.ctx(), h.inLog(), h.nameOf(peerId), offer, peerId);
    t.manifestBytes = verdict.manifestBytes;
    h.incoming.set(offer.id, t);
    void t.result.then(() => this.clearExpiry(offer.id));
    h.adopted(t);
    if (h.policyOf(peerId) === 'auto-accept') {
      await t.accept();
      h.accepted();
    } else {
      // Nobody is asked about an offer that cannot fit: it is refused, and the sender told why.
      const room = await this.roomFor(t);
      const short = spaceShortfall(t.bytesTotal, room, h.ctx().downloads);
      if (short) {
        await t.refuseForSpace(short);
        h.changed();
        return;
      }
      this.offerRoom.set(offer.id, room.room);
      this.expiry.set(offer.id, h.clock.setTimeout(() => void this.expire(offer.id), h.ctx().offerTimeoutMs));
      h.emit({ type: 'offer-received', id: offer.id, deviceId: peerId, name: h.nameOf(peerId), files: offer.files.map((f) => ({ ...f })), dirs: [...offer.dirs], total: offer.totalBytes });
    }
    h.tick();
    h.changed();
  }

  /** Undefined if `need` more bytes fit beside what accepted transfers still need (and the reserve), else why not. */
  async checkSpace(t: IncomingTransferState, need: number): Promise<string | undefined> {
    return spaceShortfall(need, await this.roomFor(t), this.h.ctx().downloads);
  }

  /** The room a pending offer was shown with. */
  roomOf(id: string): number | undefined {
    return this.offerRoom.get(id);
  }

  /** A pending offer was answered, cancelled or ended: its timer stops. */
  clearExpiry(id: string): void {
    this.offerRoom.delete(id);
    this.h.clock.clearTimeout(this.expiry.get(id));
    this.expiry.delete(id);
  }

  /** An accepted transfer leaves the views: a re-offer of its id still gets `reply`. */
  remember(id: string, peer: DeviceId, reply: Message): void {
    this.ended.set(id, { peer, reply });
  }

  /** Forget the oldest ended ids beyond MAX_ENDED_IDS. */
  trimEnded(): void {
    for (const id of [...this.ended.keys()].slice(0, Math.max(0, this.ended.size - MAX_ENDED_IDS))) this.ended.delete(id);
  }

  stop(): void {
    for (const h of this.expiry.values()) this.h.clock.clearTimeout(h);
    this.expiry.clear();
  }

  private async roomFor(t: IncomingTransferState): Promise<Room> {
    let promised = 0;
    for (const other of this.h.incoming.values()) {
      if (other !== t && other.isAccepted && !other.terminal) promised += Math.max(0, other.bytesTotal - other.bytesDone);
    }
    return roomIn(this.h.ctx().downloads, promised, this.h.reserveBytes);
  }

  private async expire(id: string): Promise<void> {
    this.expiry.delete(id);
    await this.h.incoming.get(id)?.expire();
  }
}
