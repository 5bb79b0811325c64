/** One line telling the user what a send left out of a folder (symlinks, FIFOs, sockets, devices, unreadable folders). */
import path from 'node:path';
import type { ScanResult } from './scan.js';

const WHY = { symlink: 'a link', special: 'not a regular file', unreadable: 'unreadable' } as const;

export function skippedNotice(skipped: ScanResult['skipped']): string {
  const shown = skipped.slice(0, 3).map((s) => `${path.basename(s.path)} (${WHY[s.reason]})`);
  const more = skipped.length > shown.length ? `, and ${skipped.length - shown.length} more` : '';
  return `send: skipped ${skipped.length} item${skipped.length === 1 ? '' : 's'}, never opened: ${shown.join(', ')}${more}`;
}
