import type { Socket } from 'node:net';

/**
 * Waits for a fresh socket to reach `event` ('connect', or 'secureConnect' for TLS), takes
 * what is needed from it and closes it; an error, or the signal's abort, ends the wait.
 */
export function whenSocketReady<T>(
  socket: Socket,
  event: 'connect' | 'secureConnect',
  signal: AbortSignal,
  take: () => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => socket.destroy(signal.reason as Error);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    socket.once(event, () => {
      const taken = take();
      socket.destroy();
      resolve(taken);
    });
    socket.once('error', reject);
    socket.once('close', () => signal.removeEventListener('abort', abort));
  });
}
