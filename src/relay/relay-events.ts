/**
 * What `peerdeck relay --json` prints: one event per line with device IDs,
 * envelope ids, sizes and times only; never envelope bytes (the relay cannot
 * read them anyway) and never addresses.
 */
import type { DeviceId } from '../protocol/device-id.js';
import type { RelayRefusalCode } from '../protocol/relay/relay-messages.js';

export type RelayEvent =
  | { readonly type: 'registered'; readonly deviceId: DeviceId; readonly held: number; readonly replaced: boolean; readonly at: number }
  | { readonly type: 'left'; readonly deviceId: DeviceId; readonly reason: string; readonly at: number }
  | { readonly type: 'deposit'; readonly from: DeviceId; readonly to: DeviceId; readonly id: string; readonly bytes: number; readonly at: number }
  | { readonly type: 'pushed'; readonly to: DeviceId; readonly id: string; readonly bytes: number; readonly at: number }
  | { readonly type: 'acked'; readonly to: DeviceId; readonly id: string; readonly at: number }
  | { readonly type: 'expired'; readonly to: DeviceId; readonly from: DeviceId; readonly id: string; readonly bytes: number; readonly at: number }
  | {
      readonly type: 'refused';
      readonly deviceId: DeviceId;
      readonly code: RelayRefusalCode;
      readonly id?: string;
      readonly bytes?: number;
      readonly at: number;
    };
