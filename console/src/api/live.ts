import { io, type Socket } from 'socket.io-client';
import { renewSession, sessionCredentials } from './http.js';

/**
 * A connection to the live namespace (`/live`) with the session's credentials. A refused
 * connection renews the access token once and tries again; after that `onFailed` is told.
 */
export function openLiveSocket(onConnect: (socket: Socket) => void, onFailed: (err: Error) => void): Socket {
  // Asked at every connection attempt, so a renewed token is the one sent.
  const auth = (send: (data: object) => void) => {
    void sessionCredentials().then(({ token, tenant }) => send({ token, ...(tenant ? { tenant } : {}) }));
  };
  const socket = io('/live', { auth, transports: ['websocket'] });
  let renewed = false;
  socket.on('connect', () => onConnect(socket));
  socket.on('connect_error', async (err: Error) => {
    if (!renewed && (await renewSession())) {
      renewed = true;
      socket.connect();
      return;
    }
    socket.disconnect();
    onFailed(err);
  });
  return socket;
}
