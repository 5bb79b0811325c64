/** Short-lived notices for the snapshot: at most MAX_NOTICES, each shown for NOTICE_TTL_MS. */
import type { Notice, NoticeLevel } from '../engine-api.js';

/** Notices stay in the snapshot this long. */
export const NOTICE_TTL_MS = 8_000;
const MAX_NOTICES = 20;

export class NoticeBoard {
  private notices: Notice[] = [];
  private seq = 0;

  add(level: NoticeLevel, text: string, now: number): void {
    this.notices = [...this.current(now), { id: ++this.seq, level, text, at: now }].slice(-MAX_NOTICES);
  }

  current(now: number): Notice[] {
    return this.notices.filter((n) => now - n.at < NOTICE_TTL_MS);
  }
}
