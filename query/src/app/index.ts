// The query API's app root: every feature wired into one HTTP server. Only the server's
// composition root (and this package's own tests) import it.
export { startQueryServer, type QueryServer, type QueryServerConfig, type RequestLogEntry } from './query-server.js';
