/**
 * Following a queued send for `peerdeck send`: until it is delivered, failed or
 * cancelled, or (without `untilDelivered`) until the peer has been unreachable
 * for `connectWaitMs`, leaving it queued for the outbox to deliver later.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Outbox } from '../outbox/outbox.js';

/** `send` without --wait: how long to try reaching the peer before leaving the send queued. */
export const SEND_CONNECT_WAIT_MS = 5_000;

export interface SendWaitDeps {
  outbox: Outbox;
  isOnline(id: DeviceId): boolean;
  waitFor(pred: () => boolean, ms: number): Promise<boolean>;
}

export async function followSend(
  d: SendWaitDeps,
  id: string,
  opts: { untilDelivered: boolean; connectWaitMs?: number },
): Promise<{ state: string; error?: { code: string; message: string } }> {
  const item = () => d.outbox.get(id);
  const final = () => {
    const it = item();
    return !it || it.state === 'delivered' || it.state === 'failed' || it.state === 'cancelled';
  };
  const peerId = item()?.peerId;
  const forever = 2 ** 31 - 1;
  if (opts.untilDelivered || !peerId) await d.waitFor(final, forever);
  else {
    while (!final()) {
      if (!(await d.waitFor(() => final() || d.isOnline(peerId), opts.connectWaitMs ?? SEND_CONNECT_WAIT_MS))) break;
      if (final()) break;
      if (item()?.state === 'queued') d.outbox.retryNow(id);
      await d.waitFor(() => final() || !d.isOnline(peerId), forever);
    }
  }
  const it = item();
  return { state: it?.state ?? 'unknown', ...(it?.lastError ? { error: it.lastError } : {}) };
}
