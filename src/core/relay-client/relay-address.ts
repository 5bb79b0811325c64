/** `host:port[#DEVICE_ID]`, the form of the `relay` setting and `--relay` (IPv6 hosts in brackets). */
import { parseDeviceId, type DeviceId } from '../../protocol/device-id.js';
import { EngineError } from '../errors.js';

export interface RelayAddress {
  readonly host: string;
  readonly port: number;
  /** Given after `#`: pinned from the start, no trust on first use. */
  readonly deviceId?: DeviceId;
  /** `host:port`, the key the pin is stored under. */
  readonly hostPort: string;
}

const PATTERN = /^(\[[^\]\s]+\]|[^:\s[\]#]+):(\d{1,5})(?:#(.+))?$/;

export function parseRelayAddress(text: string): RelayAddress {
  const m = PATTERN.exec(text.trim());
  const bad = (why: string) => new EngineError('ERR_SETTING_INVALID', `relay: ${why}, got ${JSON.stringify(text.slice(0, 120))}`, 'usage');
  if (!m) throw bad('must be host:port or host:port#DEVICE_ID');
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw bad('port must be 1..65535');
  let deviceId: DeviceId | undefined;
  if (m[3] !== undefined) {
    try {
      deviceId = parseDeviceId(m[3]);
    } catch {
      throw bad('the part after # is not a device ID');
    }
  }
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return { host, port, deviceId, hostPort: `${m[1]}:${port}` };
}
