/** Where a dashboard feed's renders go: `send` with a callback the client calls when it took one. */
export interface DashboardFeedSink<T> {
  send(render: T, done: () => void): void;
  /** A later render failed; the feed goes on. */
  failed(err: unknown): void;
}

/**
 * Dashboard live mode: renders now, then every `intervalMs`. A tick is skipped while the
 * previous render is still running or not yet acknowledged, or when the server has no room
 * for another render, so slow clients, slow dashboards or many feeds never pile up renders. Resolves with `stop` once the first render was sent;
 * rejects (and stops) when the first render fails.
 */
export async function startDashboardFeed<T>(
  render: () => Promise<T>,
  sink: DashboardFeedSink<T>,
  intervalMs: number,
  /** Whether the server has room for a render now; a tick without room is skipped. */
  canRender: () => boolean = () => true,
): Promise<() => void> {
  const first = await render();
  let unacknowledged = false;
  let rendering = false;
  const push = (data: T) => {
    unacknowledged = true;
    sink.send(data, () => {
      unacknowledged = false;
    });
  };
  const timer = setInterval(() => {
    if (unacknowledged || rendering || !canRender()) return;
    rendering = true;
    render()
      .then(push, (err: unknown) => sink.failed(err))
      .finally(() => {
        rendering = false;
      });
  }, intervalMs);
  push(first);
  return () => clearInterval(timer);
}
