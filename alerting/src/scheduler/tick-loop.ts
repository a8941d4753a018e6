/** A running loop: `tick` again `periodMs` after each run ends (so runs never overlap). */
export interface TickLoop {
  /** Waits for the running tick, then stops. */
  stop(): Promise<void>;
}

export function startTickLoop(
  name: string,
  tick: () => Promise<unknown>,
  periodMs: number,
  log: (msg: string) => void,
): TickLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const loop = () => {
    running = tick()
      .then(
        () => undefined,
        (err: unknown) => log(`${name}: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, periodMs);
      });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
