import { setFlagsFromString } from 'node:v8';

/**
 * V8 grows each heap of this process to twice its live size before the next major GC.
 *
 * The serving thread holds a ~67 MB heap (NestJS, TypeORM, the OTLP schemas) and allocates
 * little, but with V8's own growing factor (down to 1.1 when collection is fast) its
 * old-generation limit sat just above its live size: under ingest load it ran a major GC
 * about four times a second, each one a pause of the event loop that answers exports, and
 * concurrent marking took a fifth of the process's CPU. With a factor of 2 it runs about
 * half as many; the all-in-one benchmark went from 27,700–51,800 to 61,500–62,900 spans/s
 * with 16 requests in flight (three runs each, same machine). The cost is up to one more
 * live size of heap per thread. Flags are process-wide and read at each GC, so this takes
 * effect at once, for the decoder threads too.
 */
export function doubleHeapBeforeMajorGc(): void {
  setFlagsFromString('--heap-growing-percent=100');
}
