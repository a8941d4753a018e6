import type { DashboardRenderDto, LiveAck, LiveDashboardSubscribe } from '@telemetryflow/contract';
import type { Socket } from 'socket.io-client';
import { onScopeDispose, shallowRef } from 'vue';
import { openLiveSocket } from '../api/live.js';

/** Dashboard live mode: the server renders the dashboard every interval and pushes the result. */
export function useLiveDashboard(onRender: (render: DashboardRenderDto) => void) {
  const error = shallowRef<unknown>(null);
  let socket: Socket | null = null;

  function stop(): void {
    socket?.disconnect();
    socket = null;
  }

  function start(request: LiveDashboardSubscribe): void {
    stop();
    error.value = null;
    socket = openLiveSocket(
      (s) =>
        s.emit('dashboard:subscribe', request, (ack: LiveAck) => {
          if ('error' in ack) {
            error.value = new Error(`live mode refused: ${ack.error.message}`);
            stop();
          }
        }),
      (err) => (error.value = new Error(`live mode: ${err.message}`)),
    );
    socket.on('dashboard', (message: { data: DashboardRenderDto }, ack?: () => void) => {
      onRender(message.data);
      ack?.();
    });
  }

  onScopeDispose(stop);
  return { error, start, stop };
}
