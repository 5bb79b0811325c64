/**
 * A clock reading that re-renders its component every `everyMs` (and only
 * then), from the injected clock so tests move time by hand.
 */
import { useEffect, useState } from 'react';
import type { Clock } from '../core/clock.js';

export function useNow(clock: Clock, everyMs: number, kind: 'mono' | 'wall', enabled = true): number {
  const read = (): number => (kind === 'mono' ? clock.now() : clock.wallNow());
  const [now, setNow] = useState(read);
  useEffect(() => {
    if (!enabled) return;
    setNow(kind === 'mono' ? clock.now() : clock.wallNow());
    const h = clock.setInterval(() => setNow(kind === 'mono' ? clock.now() : clock.wallNow()), everyMs);
    return () => clock.clearInterval(h);
  }, [clock, everyMs, kind, enabled]);
  return enabled ? now : read();
}
