import { startDashboardFeed } from './dashboard-feed.js';

/** One follower of a dashboard feed: `send` with a callback the client calls when it took the render. */
export interface FeedWatcher<T> {
  send(render: T, done: () => void): void;
  failed(err: unknown): void;
}

interface WatcherState<T> {
  watcher: FeedWatcher<T>;
  unacknowledged: boolean;
  received: boolean;
}

interface Feed<T> {
  watchers: Set<WatcherState<T>>;
  last: T | undefined;
  ready: Promise<void>;
  stop?: () => void;
}

function deliver<T>(w: WatcherState<T>, data: T): void {
  // A follower that has not taken the previous render skips this one.
  if (w.unacknowledged) return;
  w.unacknowledged = true;
  w.received = true;
  w.watcher.send(data, () => {
    w.unacknowledged = false;
  });
}

/**
 * Dashboard feeds shared by everyone who follows the same dashboard the same way (same
 * tenant, range, interval and variables: the same key): one render per tick, sent to each
 * follower that acknowledged the previous one. A follower joining a running feed gets its
 * last render at once. The feed stops when its last follower leaves.
 */
export class SharedDashboardFeeds<T> {
  private readonly feeds = new Map<string, Feed<T>>();

  /** @param canRender whether the process has room for a render now (a tick without room is skipped) */
  constructor(private readonly canRender: () => boolean = () => true) {}

  get size(): number {
    return this.feeds.size;
  }

  /**
   * Follows the feed of `key`, starting it with `render` when there is none. Resolves with
   * `leave` once the feed has rendered; rejects when its first render fails.
   */
  async join(key: string, render: () => Promise<T>, intervalMs: number, watcher: FeedWatcher<T>): Promise<() => void> {
    const state: WatcherState<T> = { watcher, unacknowledged: false, received: false };
    let feed = this.feeds.get(key);
    if (!feed) {
      const f: Feed<T> = { watchers: new Set([state]), last: undefined, ready: Promise.resolve() };
      const sink = {
        send: (data: T, done: () => void) => {
          f.last = data;
          for (const w of f.watchers) deliver(w, data);
          done();
        },
        failed: (err: unknown) => {
          for (const w of f.watchers) w.watcher.failed(err);
        },
      };
      f.ready = startDashboardFeed(render, sink, intervalMs, this.canRender).then(
        (stop) => {
          f.stop = stop;
          if (f.watchers.size === 0) this.end(key, f);
        },
        (err: unknown) => {
          this.end(key, f);
          throw err;
        },
      );
      this.feeds.set(key, (feed = f));
    } else {
      feed.watchers.add(state);
    }
    const joined = feed;
    try {
      await joined.ready;
    } catch (err) {
      joined.watchers.delete(state);
      throw err;
    }
    if (!state.received && joined.last !== undefined) deliver(state, joined.last);
    return () => {
      joined.watchers.delete(state);
      if (joined.watchers.size === 0) this.end(key, joined);
    };
  }

  private end(key: string, feed: Feed<T>): void {
    feed.stop?.();
    if (this.feeds.get(key) === feed) this.feeds.delete(key);
  }
}
