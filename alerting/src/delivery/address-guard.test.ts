import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressGuard, embeddedIpv4, parseCidrs } from './address-guard.js';

/** Addresses that must never be reached, each with what it really is. */
const BLOCKED: [string, string][] = [
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['127.0.0.1', 'loopback'],
  ['169.254.169.254', 'cloud metadata'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.255', 'CGNAT'],
  ['0.0.0.0', 'this network'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['[::1]', 'loopback in brackets'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['fd00::1', 'unique-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['100::1', 'discard-only'],
  // IPv4-mapped, in every notation.
  ['::ffff:127.0.0.1', 'mapped loopback'],
  ['::ffff:7f00:1', 'mapped loopback, hex'],
  ['::FFFF:7F00:0001', 'mapped loopback, upper case'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'mapped loopback, uncompressed mixed'],
  ['0000:0000:0000:0000:0000:ffff:7f00:0001', 'mapped loopback, full hex'],
  ['::ffff:a9fe:a9fe', 'mapped metadata'],
  ['::ffff:0a00:0001', 'mapped private'],
  ['::ffff:0:127.0.0.1', 'IPv4-translated (SIIT) loopback'],
  // IPv4-compatible (::/96).
  ['[::127.0.0.1]', 'compatible loopback'],
  ['::7f00:1', 'compatible loopback, hex'],
  ['::10.0.0.1', 'compatible private'],
  ['::a9fe:a9fe', 'compatible metadata'],
  // NAT64: the well-known prefix judged by the IPv4 inside, the local-use one refused.
  ['[64:ff9b::7f00:1]', 'NAT64 loopback'],
  ['64:ff9b::127.0.0.1', 'NAT64 loopback, mixed'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 metadata'],
  ['64:ff9b::c0a8:101', 'NAT64 private'],
  ['64:ff9b:1::a00:1', 'local-use NAT64'],
  ['64:ff9b:1:ffff::8.8.8.8', 'local-use NAT64 of anything'],
  // 6to4 (2002:AABB:CCDD::/48 carries AA.BB.CC.DD).
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:a00:1::', '6to4 of 10.0.0.1'],
  ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
  ['2002:a9fe:a9fe::', '6to4 of metadata'],
  // Teredo hides its client's IPv4 address (XOR-ed): refused.
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2001::80ff:fffe', 'Teredo of 127.0.0.1'],
];

const ALLOWED: [string, string][] = [
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['100.128.0.1', 'just past CGNAT'],
  ['172.32.0.1', 'just past 172.16/12'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2001:4860:4860::8888', 'public IPv6 in 2001::/16, outside the IETF block'],
  ['::ffff:8.8.8.8', 'mapped public'],
  ['64:ff9b::808:808', 'NAT64 of a public address'],
  ['2002:808:808::1', '6to4 of a public address'],
];

describe('AddressGuard', () => {
  const guard = new AddressGuard();

  it('blocks private, loopback, link-local, reserved and tunnelling addresses, and every IPv6 form that carries a blocked IPv4 address', () => {
    for (const [a, what] of BLOCKED) assert.notEqual(guard.check(a), null, `${a} (${what}) must be blocked`);
  });

  it('lets public addresses through, also when an IPv6 address carries a public IPv4 one', () => {
    for (const [a, what] of ALLOWED) assert.equal(guard.check(a), null, `${a} (${what})`);
  });

  it('finds the IPv4 address inside mapped, translated, compatible, NAT64 and 6to4 addresses', () => {
    assert.deepEqual(embeddedIpv4('::ffff:7f00:1'), { ipv4: '127.0.0.1', form: 'IPv4-mapped' });
    assert.deepEqual(embeddedIpv4('0:0:0:0:0:FFFF:10.1.2.3'), { ipv4: '10.1.2.3', form: 'IPv4-mapped' });
    assert.deepEqual(embeddedIpv4('::ffff:0:a9fe:a9fe'), { ipv4: '169.254.169.254', form: 'IPv4-translated' });
    assert.deepEqual(embeddedIpv4('::127.0.0.1'), { ipv4: '127.0.0.1', form: 'IPv4-compatible' });
    assert.deepEqual(embeddedIpv4('64:ff9b::c0a8:101'), { ipv4: '192.168.1.1', form: 'NAT64' });
    assert.deepEqual(embeddedIpv4('2002:c0a8:101:5::1'), { ipv4: '192.168.1.1', form: '6to4' });
    assert.equal(embeddedIpv4('2606:4700:4700::1111'), undefined);
  });

  it('allows what the allow-list names, and only that, whatever form the address takes', () => {
    const g = new AddressGuard(parseCidrs('127.0.0.0/8, 10.20.0.0/16, ::1'));
    for (const a of [
      '127.0.0.1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '[::127.0.0.1]',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '10.20.3.4',
      '::1',
    ]) {
      assert.equal(g.check(a), null, a);
    }
    for (const a of ['10.21.0.1', '64:ff9b::a15:1', '2002:a15:1::', '169.254.169.254', '2001::80ff:fffe'])
      assert.notEqual(g.check(a), null, a);
    assert.throws(() => parseCidrs('10.0.0.0/33'), /CIDR/);
    assert.throws(() => parseCidrs('example.com'), /CIDR/);
  });

  it('refuses what is not an IP address', () => {
    assert.match(guard.check('example.com') ?? '', /not an IP address/);
  });
});
