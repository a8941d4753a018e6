import { MemorySeriesSource } from '../../src/index.js';
import { demoDataSet, type DemoDataSet } from './demo-data.js';
import { remoteWrite } from './remote-write.js';
import { startPrometheus, type RunningPrometheus } from './prometheus-server.js';

// One data set, written to a real Prometheus by remote write and into the in-memory source.

/** End of the data; queries end 12 minutes before it at an odd millisecond, as the tester's now-12m does. */
export const DATA_END = Date.UTC(2024, 0, 15, 12, 0, 0);
export const DATA_START = DATA_END - 2 * 3_600_000;
export const QUERY_END = DATA_END - 12 * 60_000 + 437;
export const QUERY_START = QUERY_END - 10 * 60_000;
export const QUERY_STEP = 10_000;

export interface ReferenceFixture {
  readonly data: DemoDataSet;
  readonly source: MemorySeriesSource;
  readonly prometheus: RunningPrometheus;
}

/** dataStart: where the data begins (the compliance queries need two hours; shorter runs faster). */
export async function startReferenceFixture(dataStart = DATA_START): Promise<ReferenceFixture> {
  const data = demoDataSet(dataStart, DATA_END);
  const source = new MemorySeriesSource();
  for (const s of data.series) {
    for (let i = 0; i < s.timestamps.length; i++) {
      const t = s.timestamps[i]!;
      if (Number.isNaN(s.values[i]!) && isStale(s.values, i)) source.appendStale(s.labels, t);
      else source.append(s.labels, t, s.values[i]!);
    }
  }
  const prometheus = await startPrometheus();
  try {
    await remoteWrite(`${prometheus.url}/api/v1/write`, data.series, dataStart, DATA_END);
  } catch (e) {
    await prometheus.stop();
    throw e;
  }
  return { data, source, prometheus };
}

function isStale(values: Float64Array, i: number): boolean {
  const words = new Uint32Array(values.buffer, values.byteOffset + i * 8, 2);
  return words[0] === 2 && words[1] === 0x7ff00000;
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
