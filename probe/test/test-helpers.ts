// Real check targets for integration tests elsewhere (server/test/monitors): HTTP(S) servers,
// certificates made in the test, a TCP listener, a DNS server.
export * from './targets.js';
export * from './dns-server.js';
