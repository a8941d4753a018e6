import type { LiveAck, LiveItems, LiveNotice, LiveSubscribe, LogDto } from '@telemetryflow/contract';
import type { Socket } from 'socket.io-client';
import { onScopeDispose, ref, shallowRef } from 'vue';
import { openLiveSocket } from '../api/live.js';
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
    status.value = 'connecting';
    const s = openLiveSocket(
      (connected) =>
        connected.emit('subscribe', { signal: 'logs', filter } satisfies LiveSubscribe, (ack: LiveAck) => {
          if ('error' in ack) {
            error.value = new Error(`live tail refused: ${ack.error.message}`);
            stop();
          } else status.value = 'live';
        }),
      (err) => {
        error.value = new Error(`live tail: ${err.message}`);
        status.value = 'off';
      },
    );
    socket = s;
    s.on('items', (batch: LiveItems, ack?: () => void) => {
      if (batch.signal === 'logs') state.value = receive(state.value, batch.items as LogDto[], batch.dropped);
      ack?.();
    });
    s.on('notice', (n: LiveNotice) => (notice.value = n.message));
  }

  const pause = () => (state.value = pauseTail(state.value));
  const resume = () => (state.value = resumeTail(state.value));
  onScopeDispose(stop);

  return { state, status, error, notice, start, stop, pause, resume };
}
