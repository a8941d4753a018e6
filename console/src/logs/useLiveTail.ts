import type { LiveAck, LiveItems, LiveNotice, LiveSubscribe, LogDto } from '@telemetryflow/schemas';
import { io, type Socket } from 'socket.io-client';
import { onScopeDispose, ref, shallowRef } from 'vue';
import { renewSession, sessionCredentials } from '../api/http.js';
import { emptyTail, pause as pauseTail, receive, resume as resumeTail, type TailState } from './tail-buffer.js';

/**
 * Live tail of log records over socket.io (`/live`): a bounded buffer, pause and resume. Every
 * delivery is acknowledged as soon as it is buffered, so a paused view never slows the server.
 */
export function useLiveTail() {
  const state = shallowRef<TailState>(emptyTail());
  const status = ref<'off' | 'connecting' | 'live'>('off');
  const error = shallowRef<unknown>(null);
  const notice = ref('');
  let socket: Socket | null = null;
  let renewed = false;

  function stop(): void {
    socket?.disconnect();
    socket = null;
    status.value = 'off';
  }

  function start(filter: LiveSubscribe['filter']): void {
    stop();
    state.value = emptyTail();
    error.value = null;
    notice.value = '';
    renewed = false;
    status.value = 'connecting';
    const credentials = sessionCredentials();
    const s = io('/live', { auth: { token: credentials.token, ...(credentials.tenant ? { tenant: credentials.tenant } : {}) }, transports: ['websocket'] });
    socket = s;
    s.on('connect', () => {
      s.emit('subscribe', { signal: 'logs', filter } satisfies LiveSubscribe, (ack: LiveAck) => {
        if ('error' in ack) {
          error.value = new Error(`live tail refused: ${ack.error.message}`);
          stop();
        } else status.value = 'live';
      });
    });
    s.on('items', (batch: LiveItems, ack?: () => void) => {
      if (batch.signal === 'logs') state.value = receive(state.value, batch.items as LogDto[], batch.dropped);
      ack?.();
    });
    s.on('notice', (n: LiveNotice) => (notice.value = n.message));
    s.on('connect_error', async (err: Error) => {
      // An access token that ran out: renew it once and connect again.
      if (!renewed && (await renewSession())) {
        renewed = true;
        s.auth = { ...(s.auth as object), token: sessionCredentials().token };
        s.connect();
        return;
      }
      error.value = new Error(`live tail: ${err.message}`);
      stop();
    });
  }

  const pause = () => (state.value = pauseTail(state.value));
  const resume = () => (state.value = resumeTail(state.value));
  onScopeDispose(stop);

  return { state, status, error, notice, start, stop, pause, resume };
}
