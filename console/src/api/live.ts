import { io, type Socket } from 'socket.io-client';
import { renewSession, sessionCredentials } from './http.js';

/**
 * A connection to the live namespace (`/live`) with the session's credentials. A refused
 * connection renews the access token once and tries again; after that `onFailed` is told.
 */
export function openLiveSocket(onConnect: (socket: Socket) => void, onFailed: (err: Error) => void): Socket {
  const credentials = sessionCredentials();
  const socket = io('/live', { auth: { token: credentials.token, ...(credentials.tenant ? { tenant: credentials.tenant } : {}) }, transports: ['websocket'] });
  let renewed = false;
  socket.on('connect', () => onConnect(socket));
  socket.on('connect_error', async (err: Error) => {
    if (!renewed && (await renewSession())) {
      renewed = true;
      socket.auth = { ...(socket.auth as object), token: sessionCredentials().token };
      socket.connect();
      return;
    }
    socket.disconnect();
    onFailed(err);
  });
  return socket;
}
