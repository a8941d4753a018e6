import type { LogDto } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { emptyTail, pause, receive, resume } from './tail-buffer.js';

const log = (t: number): LogDto => ({
  timeUnixNano: String(BigInt(t) * 1_000_000n),
  observedTimeUnixNano: '0',
  severityNumber: 9,
  severityText: 'INFO',
  body: { stringValue: `line ${t}` },
  serviceName: 's',
  traceId: '',
  spanId: '',
  attributes: [],
  resource: [],
  scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
  eventName: '',
  flags: 0,
  droppedAttributesCount: 0,
});
const times = (logs: LogDto[]) => logs.map((l) => Number(BigInt(l.timeUnixNano) / 1_000_000n));

describe('live tail buffer', () => {
  it('shows the newest first and keeps at most the limit, counting what fell off', () => {
    let s = receive(emptyTail(), [log(1), log(3), log(2)], 0, 4);
    expect(times(s.shown)).toEqual([3, 2, 1]);
    s = receive(s, [log(4), log(5)], 7, 4);
    expect(times(s.shown)).toEqual([5, 4, 3, 2]);
    expect(s.dropped).toBe(1 + 7);
  });

  it('holds records while paused and shows them on resume', () => {
    let s = pause(receive(emptyTail(), [log(1)], 0));
    s = receive(s, [log(2), log(3)], 0);
    expect(times(s.shown)).toEqual([1]);
    expect(times(s.pending)).toEqual([3, 2]);
    s = resume(s);
    expect(s.paused).toBe(false);
    expect(times(s.shown)).toEqual([3, 2, 1]);
    expect(s.pending).toEqual([]);
  });

  it('bounds what waits while paused too', () => {
    let s = pause(emptyTail());
    for (let i = 0; i < 10; i++) s = receive(s, [log(i)], 0, 3);
    expect(times(s.pending)).toEqual([9, 8, 7]);
    expect(s.dropped).toBe(7);
  });
});
