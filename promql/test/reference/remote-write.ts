import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { DemoSeries } from './demo-data.js';

// A remote-write 1.0 client: the data set in time slices, each a snappy-compressed WriteRequest.

const PROTO = fileURLToPath(new URL('../../../test/reference/remote-write.proto', import.meta.url));

export async function encoderForWriteRequest(): Promise<
  (series: readonly DemoSeries[], from: number, to: number) => Uint8Array
> {
  const root = await protobuf.load(PROTO);
  const WriteRequest = root.lookupType('prometheus.WriteRequest');
  return (series, from, to) => {
    const timeseries = [];
    for (const s of series) {
      const samples = [];
      for (let i = 0; i < s.timestamps.length; i++) {
        const t = s.timestamps[i]!;
        if (t >= from && t < to) samples.push({ value: s.values[i]!, timestamp: t });
      }
      if (samples.length > 0)
        timeseries.push({ labels: s.labels.map((l) => ({ name: l.name, value: l.value })), samples });
    }
    const message = WriteRequest.fromObject({ timeseries });
    return snappy.compress(WriteRequest.encode(message).finish());
  };
}

/** Writes every sample, ten minutes of data per request, oldest first. */
export async function remoteWrite(
  url: string,
  series: readonly DemoSeries[],
  start: number,
  end: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const encode = await encoderForWriteRequest();
  const slice = 600_000;
  for (let from = start; from <= end; from += slice) {
    const body = encode(series, from, from + slice);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
        ...headers,
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 204 && res.status !== 200)
      throw new Error(`remote write answered ${res.status}: ${await res.text()}`);
  }
}
