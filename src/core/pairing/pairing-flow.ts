/**
 * One pairing attempt over one TLS connection (ALPN peerdeck-pair/1), as a
 * message-driven state machine. Commit-then-reveal (DESIGN.md §4):
 *
 *   initiator                      responder
 *   PAIR_COMMIT {H(nI), name}  →
 *                              ←   PAIR_NONCE {nR, name}
 *   PAIR_REVEAL {nI}           →   (checks H(nI))
 *   both: code = SAS(idI, idR, nI, nR, TLS exporter)  — shown to both humans
 *   PAIR_CONFIRM / PAIR_REJECT both ways; paired when both sides confirmed.
 *
 * A man in the middle must fix its nonce on one side before it learns the
 * other's, so it gets one 1-in-a-million guess per attempt. Nothing here ever
 * confirms by itself: `confirm()` is called only on a human's answer.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';
import type { PairRejectCode } from '../../protocol/messages/pairing.js';
import { checkReveal, pairingCode, pairingCommit, PAIRING_NONCE_BYTES } from '../../protocol/pairing-code.js';
import type { Clock, Random, TimerHandle } from '../clock.js';

/** How long humans get to compare codes and answer. */
export const PAIRING_TIMEOUT_MS = 120_000;

export type PairingPhase = 'exchanging' | 'comparing' | 'paired' | 'failed';

export interface PairingResult {
  ok: boolean;
  /** Why it failed (a PAIR_REJECT code, or one of ours). */
  code?: PairRejectCode | 'CLOSED';
  message?: string;
  peerName: string;
}

export interface PairingFlowOptions {
  role: 'initiator' | 'responder';
  selfId: DeviceId;
  peerId: DeviceId;
  selfName: string;
  /** TLS keying-material export of this connection (binds the code to it). */
  exporter: Buffer;
  send(msg: Message): void;
  clock: Clock;
  random: Random;
  timeoutMs?: number;
  /** The 6 digits are known: show them to the human. */
  onCode(code: string, peerName: string): void;
  /** Finished either way; called once. */
  onDone(result: PairingResult): void;
}

export class PairingFlow {
  private phase: PairingPhase = 'exchanging';
  private readonly myNonce: Buffer;
  private peerNonce: Buffer | undefined;
  private peerCommit: string | undefined;
  private peerName = '';
  private code: string | undefined;
  private localConfirmed = false;
  private remoteConfirmed = false;
  private readonly timer: TimerHandle;
  /** Monotonic ms (the injected clock) when this attempt times out. */
  readonly expiresAt: number;

  constructor(private readonly o: PairingFlowOptions) {
    this.myNonce = o.random.bytes(PAIRING_NONCE_BYTES);
    const timeoutMs = o.timeoutMs ?? PAIRING_TIMEOUT_MS;
    this.expiresAt = o.clock.now() + timeoutMs;
    this.timer = o.clock.setTimeout(() => this.timedOut(timeoutMs), timeoutMs);
    if (o.role === 'initiator') {
      o.send({ type: 'PAIR_COMMIT', commit: pairingCommit(this.myNonce), name: o.selfName });
    }
  }

  get state(): { phase: PairingPhase; code?: string; peerName: string; localConfirmed: boolean } {
    return { phase: this.phase, code: this.code, peerName: this.peerName, localConfirmed: this.localConfirmed };
  }

  /** A pairing message from the peer. Anything out of order aborts. */
  handle(msg: Message): void {
    if (this.phase === 'paired' || this.phase === 'failed') return;
    const { role } = this.o;
    switch (msg.type) {
      case 'PAIR_COMMIT':
        if (role !== 'responder' || this.peerCommit) return this.fail('ABORTED', 'unexpected PAIR_COMMIT', true);
        this.peerCommit = msg.commit;
        this.peerName = msg.name;
        this.o.send({ type: 'PAIR_NONCE', nonce: this.myNonce.toString('hex'), name: this.o.selfName });
        return;
      case 'PAIR_NONCE':
        if (role !== 'initiator' || this.peerNonce) return this.fail('ABORTED', 'unexpected PAIR_NONCE', true);
        this.peerNonce = Buffer.from(msg.nonce, 'hex');
        this.peerName = msg.name;
        this.o.send({ type: 'PAIR_REVEAL', nonce: this.myNonce.toString('hex') });
        return this.showCode();
      case 'PAIR_REVEAL': {
        if (role !== 'responder' || !this.peerCommit || this.peerNonce) return this.fail('ABORTED', 'unexpected PAIR_REVEAL', true);
        const nonce = Buffer.from(msg.nonce, 'hex');
        if (!checkReveal(this.peerCommit, nonce)) {
          return this.fail('CODE_MISMATCH', 'the revealed nonce does not match its commitment (possible attack)', true);
        }
        this.peerNonce = nonce;
        return this.showCode();
      }
      case 'PAIR_CONFIRM':
        if (this.phase !== 'comparing') return this.fail('ABORTED', 'confirmation before the code was known', true);
        this.remoteConfirmed = true;
        return this.maybeDone();
      case 'PAIR_REJECT':
        return this.fail(msg.code, rejectedByPeer(msg.code, this.peerName), false);
      default:
        return this.fail('ABORTED', `unexpected ${msg.type} during pairing`, true);
    }
  }

  /**
   * The human's answer. With `typedCode` (headless `pair --accept --code`), a
   * code that differs refuses the pairing.
   */
  confirm(accept: boolean, typedCode?: string): { ok: boolean; code?: string } {
    if (this.phase !== 'comparing' || this.localConfirmed) return { ok: false, code: 'ERR_PAIRING_NOT_READY' };
    if (!accept) {
      this.fail('REJECTED', 'rejected by the user', true);
      return { ok: true };
    }
    if (typedCode !== undefined && typedCode.replace(/\s/g, '') !== this.code) {
      this.fail('CODE_MISMATCH', 'the code typed does not match', true);
      return { ok: false, code: 'ERR_PAIRING_CODE_MISMATCH' };
    }
    this.localConfirmed = true;
    this.o.send({ type: 'PAIR_CONFIRM' });
    this.maybeDone();
    return { ok: true };
  }

  /** The connection closed under us (or went silent: `message` says so). */
  closed(message = 'the connection closed during pairing'): void {
    if (this.phase === 'paired' || this.phase === 'failed') return;
    this.fail('CLOSED', message, false);
  }

  private timedOut(timeoutMs: number): void {
    const window = `${Math.round(timeoutMs / 1000)} s`;
    const who = this.peerName ? `${this.peerName} to confirm` : 'the other side to confirm';
    this.fail('TIMEOUT', this.localConfirmed ? `timed out after ${window} waiting for ${who}` : `timed out: the code was not confirmed within ${window}`, true);
  }

  private showCode(): void {
    const initiatorNonce = this.o.role === 'initiator' ? this.myNonce : this.peerNonce!;
    const responderNonce = this.o.role === 'initiator' ? this.peerNonce! : this.myNonce;
    this.code = pairingCode({
      initiatorId: this.o.role === 'initiator' ? this.o.selfId : this.o.peerId,
      responderId: this.o.role === 'initiator' ? this.o.peerId : this.o.selfId,
      initiatorNonce,
      responderNonce,
      exporter: this.o.exporter,
    });
    this.phase = 'comparing';
    this.o.onCode(this.code, this.peerName);
  }

  private maybeDone(): void {
    if (!this.localConfirmed || !this.remoteConfirmed) return;
    this.phase = 'paired';
    this.o.clock.clearTimeout(this.timer);
    this.o.onDone({ ok: true, peerName: this.peerName });
  }

  private fail(code: PairRejectCode | 'CLOSED', message: string, tellPeer: boolean): void {
    if (this.phase === 'paired' || this.phase === 'failed') return;
    this.phase = 'failed';
    this.o.clock.clearTimeout(this.timer);
    if (tellPeer && code !== 'CLOSED') this.o.send({ type: 'PAIR_REJECT', code, message });
    this.o.onDone({ ok: false, code, message, peerName: this.peerName });
  }
}

/**
 * What we say when the peer ends the attempt: our own words per code, never the
 * peer's free text (it is a peer's string; the code is all we need).
 */
function rejectedByPeer(code: PairRejectCode, peerName: string): string {
  const who = peerName || 'the other side';
  switch (code) {
    case 'REJECTED':
      return `${who} rejected the pairing`;
    case 'CODE_MISMATCH':
      return `${who} saw a different code: pairing refused`;
    case 'TIMEOUT':
      return `timed out: ${who} gave up waiting for an answer`;
    case 'BUSY':
      return `${who} is busy with another pairing request`;
    case 'RATE_LIMITED':
      return `${who} refused: too many pairing attempts`;
    case 'ABORTED':
      return `${who} aborted the pairing`;
  }
}
