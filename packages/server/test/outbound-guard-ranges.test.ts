import { describe, expect, it } from 'vitest';
import { outboundPolicyFromEnv, parseAllowHosts, refusedRange } from '../src/outbound/index.js';

describe('which addresses the outbound guard refuses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'carrier_nat'],
    ['100.127.255.255', 'carrier_nat'],
    ['100.100.100.200', 'metadata'],
    ['169.254.169.254', 'metadata'],
    ['169.254.0.1', 'link_local'],
    ['192.0.0.192', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b:1::8.8.8.8', 'reserved'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['fc00::1', 'unique_local'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['not-an-address', 'reserved'],
    ['', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1', '64:ff9b::8.8.8.8'])(
    'lets the public address %s through',
    (address) => {
      expect(refusedRange(address)).toBeUndefined();
    },
  );
});

describe('the CHATSDK_OUTBOUND_ALLOW_HOSTS list', () => {
  it('reads host:port entries, normalised as URLs spell hosts', () => {
    expect(parseAllowHosts(' LocalHost:8080, [0:0::1]:80,127.0.0.1:5500 ,,')).toEqual(['localhost:8080', '[::1]:80', '127.0.0.1:5500']);
    expect(parseAllowHosts(undefined)).toEqual([]);
    expect(parseAllowHosts('')).toEqual([]);
  });

  it.each(['localhost', 'localhost:', ':80', 'localhost:0', 'localhost:65536', '::1:80', 'http://localhost:80', 'a b:80'])('refuses the entry "%s"', (entry) => {
    expect(() => parseAllowHosts(entry)).toThrow(/CHATSDK_OUTBOUND_ALLOW_HOSTS/);
  });

  it('is what the server reads from its environment', () => {
    expect(outboundPolicyFromEnv({ CHATSDK_OUTBOUND_ALLOW_HOSTS: 'hooks.internal:8443' })).toEqual({ allowHosts: ['hooks.internal:8443'] });
    expect(outboundPolicyFromEnv({})).toEqual({ allowHosts: [] });
    expect(() => outboundPolicyFromEnv({ CHATSDK_OUTBOUND_ALLOW_HOSTS: 'hooks.internal' })).toThrow(/host:port/);
  });
});
