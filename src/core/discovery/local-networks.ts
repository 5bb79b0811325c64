/**
 * IPv4 interface addresses → where to broadcast, and whether a datagram's
 * source is on a network we are directly attached to. Pure: the interface list
 * is passed in (normally `os.networkInterfaces()`), so tests can inject one.
 */

/** The subset of `os.NetworkInterfaceInfo` used here. */
export interface InterfaceAddress {
  readonly address: string;
  readonly netmask: string;
  /** 'IPv4' (Node 18.4+) or 4 (Node 18.0–18.3). */
  readonly family: string | number;
  readonly internal: boolean;
}

/** Same shape as the result of `os.networkInterfaces()`. */
export type InterfaceMap = Readonly<Record<string, readonly InterfaceAddress[] | undefined>>;

export interface LocalNetwork {
  readonly address: string;
  readonly netmask: string;
  /** Directed broadcast address (host bits all ones). */
  readonly broadcast: string;
  readonly internal: boolean;
  /** Prefix length, e.g. 24. */
  readonly prefix: number;
}

export const LIMITED_BROADCAST = '255.255.255.255';

/** Dotted quad → unsigned 32-bit integer; undefined if it is not a dotted-quad IPv4 address. */
export function ipv4ToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; other strings unchanged. */
export function unmapIpv4(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function prefixLength(mask: number): number | undefined {
  const inverted = ~mask >>> 0;
  // A valid mask is ones then zeros, so its complement plus one is a power of two.
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return 32 - Math.log2(inverted + 1);
}

/** Every IPv4 interface address with its network facts. Bad entries are skipped. */
export function localNetworks(interfaces: InterfaceMap): LocalNetwork[] {
  const out: LocalNetwork[] = [];
  for (const addresses of Object.values(interfaces)) {
    for (const info of addresses ?? []) {
      if (info.family !== 'IPv4' && info.family !== 4) continue;
      const addr = ipv4ToInt(info.address);
      const mask = ipv4ToInt(info.netmask);
      if (addr === undefined || mask === undefined) continue;
      const prefix = prefixLength(mask);
      if (prefix === undefined) continue;
      const broadcast = intToIpv4((addr | ~mask) >>> 0);
      out.push({ address: info.address, netmask: info.netmask, broadcast, internal: info.internal, prefix });
    }
  }
  return out;
}

/**
 * Default broadcast targets: the limited broadcast (goes out of the interface
 * of the default route) plus each external interface's directed broadcast (so
 * every attached subnet hears us). /31 and /32 networks have no broadcast.
 */
export function defaultBroadcastTargets(networks: readonly LocalNetwork[]): string[] {
  const targets = new Set<string>([LIMITED_BROADCAST]);
  for (const net of networks) {
    if (!net.internal && net.prefix <= 30) targets.add(net.broadcast);
  }
  return [...targets];
}

function isLoopback(n: number): boolean {
  return n >>> 24 === 127;
}

/**
 * True if `source` is loopback or inside a subnet of one of our interfaces:
 * the only senders discovery answers. Anything routed from elsewhere is not a
 * LAN neighbour, whatever its packet says.
 */
export function isLocalSource(source: string, networks: readonly LocalNetwork[]): boolean {
  const ip = ipv4ToInt(unmapIpv4(source));
  if (ip === undefined) return false;
  if (isLoopback(ip)) return true;
  for (const net of networks) {
    const mask = ipv4ToInt(net.netmask)!;
    if (((ip & mask) >>> 0) === ((ipv4ToInt(net.address)! & mask) >>> 0)) return true;
  }
  return false;
}

/** True if `source` is one of this machine's own addresses (loopback included). */
export function isOwnAddress(source: string, networks: readonly LocalNetwork[]): boolean {
  const plain = unmapIpv4(source);
  const ip = ipv4ToInt(plain);
  if (ip === undefined) return false;
  return isLoopback(ip) || networks.some((net) => net.address === plain);
}
