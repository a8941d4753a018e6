import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets each heap of this process grow past its live size before the next major
 * GC (`TF_V8_HEAP_GROWING_PERCENT`; 100 = to twice its live size, 0 = V8's own choice).
 *
 * The serving thread holds a ~67 MB heap (NestJS, TypeORM, the OTLP schemas) and allocates
 * little, but with V8's own growing factor (down to 1.1 when collection is fast) its
 * old-generation limit sat just above its live size: under ingest load it ran a major GC
 * about four times a second, each one a pause of the event loop that answers exports, and
 * concurrent marking took a fifth of the process's CPU. At 100 it runs about half as many;
 * three alternating all-in-one benchmark runs went from 27,705 / 35,169 / 51,772 to
 * 61,552 / 62,307 / 62,926 spans/s with 16 requests in flight. The cost is up to one more
 * live size of heap per thread. V8 reads the flag at each GC, so setting it at start-up
 * (process-wide, the decoder threads included) takes effect at once.
 */
export function setHeapGrowingPercent(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
