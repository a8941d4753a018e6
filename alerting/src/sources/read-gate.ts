import { ApiError } from '@telemetryflow/http-kit';

/** 503 (retryable, with Retry-After in the API): too many condition reads are already waiting. */
export class ReadsBusyError extends ApiError {
  constructor(waiting: number) {
    super(503, 'unavailable', `alert rule evaluations and previews are busy (${waiting} reads waiting); retry later`);
  }
}

/**
 * Lets at most `limit` reads run at once, and up to `maxWaiting` more wait their turn in
 * the order they came; past that a read is refused at once rather than queued without
 * bound. The embedded ClickHouse engine runs one query at a time: with a limit of 1, the
 * alerting role and rule previews together never hold more than one query ahead of the API's.
 */
export class ReadGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly limit: number,
    readonly maxWaiting: number,
  ) {}

  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw new ReadsBusyError(this.waiting.length);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await read();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
