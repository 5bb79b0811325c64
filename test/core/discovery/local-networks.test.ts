import { describe, expect, it } from 'vitest';
import {
  defaultBroadcastTargets,
  intToIpv4,
  ipv4ToInt,
  isLocalSource,
  isOwnAddress,
  localNetworks,
  type InterfaceMap,
} from '../../../src/core/discovery/local-networks.js';

const ifaces: InterfaceMap = {
  lo: [
    { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', internal: true },
    { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', internal: true },
  ],
  eth0: [{ address: '192.168.1.10', netmask: '255.255.255.0', family: 'IPv4', internal: false }],
  wlan0: [{ address: '10.20.30.40', netmask: '255.255.240.0', family: 4, internal: false }],
  wg0: [{ address: '10.99.0.2', netmask: '255.255.255.255', family: 'IPv4', internal: false }],
  weird: [{ address: '1.2.3.4', netmask: '255.0.255.0', family: 'IPv4', internal: false }],
  down: undefined,
};

describe('local networks', () => {
  it('parses and prints dotted quads', () => {
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    expect(intToIpv4(0xc0a8010a)).toBe('192.168.1.10');
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4.5', '', '::1', '01.2.3.-4']) {
      expect(ipv4ToInt(bad), bad).toBeUndefined();
    }
  });

  it('derives each IPv4 network and its directed broadcast (skipping IPv6 and bad masks)', () => {
    const nets = localNetworks(ifaces);
    expect(nets.map((n) => [n.address, n.prefix, n.broadcast])).toEqual([
      ['127.0.0.1', 8, '127.255.255.255'],
      ['192.168.1.10', 24, '192.168.1.255'],
      ['10.20.30.40', 20, '10.20.31.255'],
      ['10.99.0.2', 32, '10.99.0.2'],
    ]);
  });

  it('broadcasts to the limited address and each external subnet with a broadcast', () => {
    expect(defaultBroadcastTargets(localNetworks(ifaces))).toEqual(['255.255.255.255', '192.168.1.255', '10.20.31.255']);
    expect(defaultBroadcastTargets([])).toEqual(['255.255.255.255']);
  });

  it('a source is local if it is loopback or on one of our subnets', () => {
    const nets = localNetworks(ifaces);
    for (const ok of ['127.0.0.1', '127.5.6.7', '192.168.1.77', '10.20.16.1', '10.20.31.254', '::ffff:192.168.1.5', '10.99.0.2']) {
      expect(isLocalSource(ok, nets), ok).toBe(true);
    }
    for (const no of ['192.168.2.1', '10.20.32.1', '8.8.8.8', '10.99.0.3', '::1', 'fe80::1', 'garbage']) {
      expect(isLocalSource(no, nets), no).toBe(false);
    }
  });

  it('knows our own addresses', () => {
    const nets = localNetworks(ifaces);
    expect(isOwnAddress('192.168.1.10', nets)).toBe(true);
    expect(isOwnAddress('127.0.0.1', nets)).toBe(true);
    expect(isOwnAddress('192.168.1.11', nets)).toBe(false);
  });
});
