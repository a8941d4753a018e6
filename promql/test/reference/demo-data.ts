import { labelsFrom, writeStaleNaN, type Labels } from '../../src/index.js';

// A synthetic data set shaped like the PromQL compliance suite's demo service: three targets
// scraped every 5 s with a few milliseconds of jitter, gauges, counters (one target restarts, so
// its counters reset), a classic histogram, a batch job's timestamps, a metric that comes and goes
// (staleness markers), and a target that is down for two minutes (staleness markers for all its
// series). Deterministic: the same seed gives the same samples.

export interface DemoSeries {
  readonly labels: Labels;
  readonly timestamps: number[];
  /** Typed so that staleness markers keep their bits. */
  readonly values: Float64Array;
}

export interface DemoDataSet {
  readonly series: DemoSeries[];
  readonly start: number;
  readonly end: number;
}

const INSTANCES = ['demo.promlabs.com:10000', 'demo.promlabs.com:10001', 'demo.promlabs.com:10002'];
const SCRAPE_INTERVAL = 5000;
const BUCKETS = [
  '0.0001',
  '0.00025',
  '0.0005',
  '0.001',
  '0.0025',
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1',
  '2.5',
  '5',
  '10',
  '+Inf',
];

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SeriesBuilder {
  private readonly byKey = new Map<
    string,
    { labels: Labels; timestamps: number[]; values: number[]; stale: Set<number> }
  >();

  add(labels: Record<string, string>, t: number, v: number): void {
    this.get(labels).timestamps.push(t);
    this.get(labels).values.push(v);
  }

  /** A staleness marker, written only after a sample (as Prometheus does when a series disappears). */
  stale(labels: Record<string, string>, t: number): void {
    const s = this.get(labels);
    if (s.values.length === 0 || s.stale.has(s.values.length - 1)) return;
    s.stale.add(s.values.length);
    s.timestamps.push(t);
    s.values.push(0);
  }

  private get(labels: Record<string, string>) {
    const key = JSON.stringify(Object.entries(labels).sort());
    let s = this.byKey.get(key);
    if (!s) {
      s = { labels: labelsFrom(labels), timestamps: [], values: [], stale: new Set() };
      this.byKey.set(key, s);
    }
    return s;
  }

  build(): DemoSeries[] {
    return [...this.byKey.values()].map((s) => {
      const values = Float64Array.from(s.values);
      for (const i of s.stale) writeStaleNaN(values, i);
      return { labels: s.labels, timestamps: s.timestamps, values };
    });
  }
}

export function demoDataSet(start: number, end: number, seed = 42): DemoDataSet {
  const rand = random(seed);
  const b = new SeriesBuilder();
  const span = end - start;
  const restartAt = start + Math.round(span * 0.55);
  const downFrom = start + Math.round(span * 0.8);
  const downUntil = downFrom + 120_000;

  INSTANCES.forEach((instance, idx) => {
    const base = { job: 'demo', instance };
    const cpuTotals = { idle: 1000 * (idx + 1), system: 120 * (idx + 1), user: 300 * (idx + 1) };
    const hist = new Map<string, { buckets: number[]; sum: number; count: number }>();
    let lastBatch = Math.floor(start / 1000) - 17 * (idx + 1);
    let wasUp = true;
    for (let t = start + idx * 1700; t <= end; t += SCRAPE_INTERVAL) {
      const ts = t + Math.floor(rand() * 9);
      const up = !(idx === 2 && t >= downFrom && t < downUntil);
      const restarted = idx === 1 && t >= restartAt && t - SCRAPE_INTERVAL < restartAt;
      if (!up) {
        if (wasUp) for (const name of seriesNames(instance)) b.stale(name, ts);
        wasUp = false;
        continue;
      }
      wasUp = true;
      if (restarted) {
        cpuTotals.idle = 0;
        cpuTotals.system = 0;
        cpuTotals.user = 0;
        hist.clear();
      }
      const phase = (t - start) / 600_000;
      b.add({ __name__: 'demo_num_cpus', ...base }, ts, [4, 8, 16][idx]!);
      const mem = {
        used: 2e9 + 3e8 * Math.sin(phase + idx),
        free: 6e9 - 3e8 * Math.sin(phase + idx),
        buffers: 1.2e8 + 1e7 * rand(),
        cached: 9.5e8 + 5e7 * Math.cos(phase),
      };
      for (const [type, v] of Object.entries(mem))
        b.add({ __name__: 'demo_memory_usage_bytes', ...base, type }, ts, Math.round(v));
      cpuTotals.idle += 5 * (idx + 1) * (0.6 + 0.1 * rand());
      cpuTotals.system += 5 * (idx + 1) * (0.1 + 0.05 * rand());
      cpuTotals.user += 5 * (idx + 1) * (0.25 + 0.1 * rand());
      for (const [mode, v] of Object.entries(cpuTotals))
        b.add({ __name__: 'demo_cpu_usage_seconds_total', ...base, mode }, ts, v);
      b.add(
        { __name__: 'demo_disk_usage_bytes', ...base },
        ts,
        1e10 + (t - start) * 13.7 * (idx + 1) + Math.round(rand() * 4096),
      );
      b.add({ __name__: 'demo_disk_total_bytes', ...base }, ts, 1e11);
      if (Math.floor(t / 300_000) !== Math.floor((t - SCRAPE_INTERVAL) / 300_000))
        lastBatch = Math.floor(t / 1000) - idx * 7;
      b.add({ __name__: 'demo_batch_last_success_timestamp_seconds', ...base }, ts, lastBatch);
      b.add(
        { __name__: 'demo_batch_last_run_duration_seconds', ...base },
        ts,
        30 + 5 * idx + Math.round(rand() * 100) / 100,
      );
      const intermittent = { __name__: 'demo_intermittent_metric', ...base };
      if ((t - start + idx * 40_000) % 300_000 < 120_000) b.add(intermittent, ts, 42 + idx);
      else b.stale(intermittent, ts);
      for (const method of ['GET', 'POST']) {
        for (const path of ['/api/foo', '/api/bar']) {
          for (const status of ['200', '500']) {
            const key = `${method} ${path} ${status}`;
            let h = hist.get(key);
            if (!h) {
              h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
              hist.set(key, h);
            }
            const n = Math.floor(rand() * (status === '200' ? 40 : 4)) + (idx === 0 && status === '500' ? 0 : 1);
            for (let i = 0; i < n; i++) {
              const latency = Math.exp(Math.log(0.02 * (path === '/api/foo' ? 1 : 3)) + 1.2 * gaussian(rand));
              h.sum += latency;
              h.count++;
              BUCKETS.forEach((le, bi) => {
                if (latency <= Number(le === '+Inf' ? Infinity : le)) h!.buckets[bi]!++;
              });
            }
            const hl = { ...base, method, path, status };
            BUCKETS.forEach((le, bi) =>
              b.add({ __name__: 'demo_api_request_duration_seconds_bucket', ...hl, le }, ts, h!.buckets[bi]!),
            );
            b.add({ __name__: 'demo_api_request_duration_seconds_sum', ...hl }, ts, h.sum);
            b.add({ __name__: 'demo_api_request_duration_seconds_count', ...hl }, ts, h.count);
          }
        }
      }
    }
  });
  return { series: b.build(), start, end };

  function seriesNames(instance: string): Record<string, string>[] {
    const base = { job: 'demo', instance };
    const names: Record<string, string>[] = [
      { __name__: 'demo_num_cpus', ...base },
      { __name__: 'demo_disk_usage_bytes', ...base },
      { __name__: 'demo_disk_total_bytes', ...base },
      { __name__: 'demo_batch_last_success_timestamp_seconds', ...base },
      { __name__: 'demo_batch_last_run_duration_seconds', ...base },
      { __name__: 'demo_intermittent_metric', ...base },
    ];
    for (const type of ['used', 'free', 'buffers', 'cached'])
      names.push({ __name__: 'demo_memory_usage_bytes', ...base, type });
    for (const mode of ['idle', 'system', 'user'])
      names.push({ __name__: 'demo_cpu_usage_seconds_total', ...base, mode });
    for (const method of ['GET', 'POST']) {
      for (const path of ['/api/foo', '/api/bar']) {
        for (const status of ['200', '500']) {
          const hl = { ...base, method, path, status };
          for (const le of BUCKETS) names.push({ __name__: 'demo_api_request_duration_seconds_bucket', ...hl, le });
          names.push(
            { __name__: 'demo_api_request_duration_seconds_sum', ...hl },
            { __name__: 'demo_api_request_duration_seconds_count', ...hl },
          );
        }
      }
    }
    return names;
  }
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
