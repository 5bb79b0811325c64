/**
 * A FakeEngine that says it is attached to an engine in another process: it
 * records detach / restart and lets a test drop or restore the link.
 */
import type { LinkState } from '../../src/core/engine-api.js';
import { FakeEngine } from './fake-engine.js';

export class FakeRemoteEngine extends FakeEngine {
  readonly isRemote = true;
  link: LinkState = 'attached';
  reason: string | undefined;
  detachCalls = 0;
  restartCalls = 0;

  linkState(): LinkState {
    return this.link;
  }

  lostReason(): string | undefined {
    return this.reason;
  }

  setLink(link: LinkState, reason?: string): void {
    this.link = link;
    this.reason = reason;
    this.notify();
  }

  async detach(): Promise<void> {
    this.detachCalls++;
  }

  async restart(): Promise<void> {
    this.restartCalls++;
    this.setLink('attached');
  }
}
