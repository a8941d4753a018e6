import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressGuard, parseCidrs } from './address-guard.js';

describe('AddressGuard', () => {
  const guard = new AddressGuard();

  it('blocks private, loopback, link-local, CGNAT, unspecified and IPv4-mapped forms of them', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '100.127.255.255', '0.0.0.0',
      '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '[::1]']) {
      assert.notEqual(guard.check(a), null, a);
    }
  });

  it('lets public addresses through', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(guard.check(a), null, a);
  });

  it('allows what the allow-list names, and only that', () => {
    const g = new AddressGuard(parseCidrs('127.0.0.0/8, 10.20.0.0/16, ::1'));
    assert.equal(g.check('127.0.0.1'), null);
    assert.equal(g.check('::ffff:127.0.0.1'), null);
    assert.equal(g.check('10.20.3.4'), null);
    assert.equal(g.check('::1'), null);
    assert.notEqual(g.check('10.21.0.1'), null);
    assert.throws(() => parseCidrs('10.0.0.0/33'), /CIDR/);
    assert.throws(() => parseCidrs('example.com'), /CIDR/);
  });
});
