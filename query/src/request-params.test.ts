import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, parseTimeNs } from '@telemetryflow/http-kit';
import {
  parseEnum,
  parseHexId,
  parseInteger,
  parseNonNegativeNumber,
  parseStepMs,
  parseTimeRange,
} from './request-params.js';

function badParam(fn: () => unknown, name: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.status === 400 && e.message.startsWith(`${name}:`));
}

test('parseTimeNs: epoch ms and RFC 3339 with nanoseconds and offsets', () => {
  assert.equal(parseTimeNs('1732540800123'), 1732540800123000000n);
  assert.equal(parseTimeNs(1732540800123), 1732540800123000000n);
  assert.equal(parseTimeNs('2024-11-25T13:20:00Z'), 1732540800000000000n);
  assert.equal(parseTimeNs('2024-11-25T13:20:00.123456789Z'), 1732540800123456789n);
  assert.equal(parseTimeNs('2024-11-25T14:20:00.5+01:00'), 1732540800500000000n);
  assert.equal(parseTimeNs('2024-11-25'), undefined);
  assert.equal(parseTimeNs('2024-02-31T00:00:00Z'), undefined);
  // The calendar check applies to every offset form, not only Z.
  assert.equal(parseTimeNs('2024-02-31T00:00:00+00:00'), undefined);
  assert.equal(parseTimeNs('2023-02-29T10:00:00-05:00'), undefined);
  assert.equal(parseTimeNs('2024-04-31T00:00:00+02:00'), undefined);
  assert.equal(parseTimeNs('2024-11-25T24:00:00+01:00'), undefined);
  assert.equal(parseTimeNs('2024-11-25T13:60:00-01:00'), undefined);
  // Offsets must be ±HH:MM with HH ≤ 23 and MM ≤ 59.
  assert.equal(parseTimeNs('2024-11-25T13:20:00+24:00'), undefined);
  assert.equal(parseTimeNs('2024-11-25T13:20:00+01:60'), undefined);
  assert.equal(parseTimeNs('2024-11-25T13:20:00+0100'), undefined);
  // Valid leap day and offsets that cross midnight and the year boundary.
  assert.equal(parseTimeNs('2024-02-29T05:30:00+05:30'), BigInt(Date.UTC(2024, 1, 29)) * 1_000_000n);
  assert.equal(parseTimeNs('2024-12-31T23:00:00-01:00'), BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n);
  assert.equal(parseTimeNs('2024-11-25t13:20:00z'), 1732540800000000000n);
  assert.equal(parseTimeNs('yesterday'), undefined);
  assert.equal(parseTimeNs('-5'), undefined);
});

test('parseTimeRange: defaults to the last hour and names bad parameters', () => {
  const now = 1_732_540_800_000;
  assert.deepEqual(parseTimeRange({}, now), { fromNs: 1732537200000000000n, toNs: 1732540800000000000n });
  assert.deepEqual(parseTimeRange({ from: '1000', to: '2000' }, now), { fromNs: 1000000000n, toNs: 2000000000n });
  assert.deepEqual(parseTimeRange({ to: '3600000' }, now), { fromNs: 0n, toNs: 3600000000000n });
  badParam(() => parseTimeRange({ from: 'nope' }, now), 'from');
  badParam(() => parseTimeRange({ to: '2024-13-01T00:00:00Z' }, now), 'to');
  badParam(() => parseTimeRange({ from: '2024-02-31T00:00:00+00:00' }, now), 'from');
  badParam(() => parseTimeRange({ to: '2024-06-31T12:00:00-07:00' }, now), 'to');
  badParam(() => parseTimeRange({ from: '3000', to: '2000' }, now), 'from');
  badParam(() => parseTimeRange({ from: ['1', '2'] }, now), 'from');
});

test('numbers, enums and ids', () => {
  assert.equal(parseInteger({ limit: '20' }, 'limit', 1, 1000), 20);
  assert.equal(parseInteger({}, 'limit', 1, 1000), undefined);
  badParam(() => parseInteger({ limit: '0' }, 'limit', 1, 1000), 'limit');
  badParam(() => parseInteger({ limit: '1001' }, 'limit', 1, 1000), 'limit');
  badParam(() => parseInteger({ limit: '1.5' }, 'limit', 1, 1000), 'limit');
  assert.equal(parseNonNegativeNumber({ d: '2.5' }, 'd'), 2.5);
  badParam(() => parseNonNegativeNumber({ d: '-1' }, 'd'), 'd');
  assert.equal(parseEnum({ status: 'ERROR' }, 'status', ['ok', 'error'] as const), 'error');
  badParam(() => parseEnum({ status: 'bad' }, 'status', ['ok', 'error'] as const), 'status');
  assert.equal(parseHexId('0102030405060708090A0B0C0D0E0F10', 'traceId', 16), '0102030405060708090a0b0c0d0e0f10');
  badParam(() => parseHexId('xyz', 'traceId', 16), 'traceId');
});

test('stepSeconds: given, or a nice default of at most 120 steps that rollups can answer for long ranges', () => {
  const range = (hours: number) => ({ fromNs: 0n, toNs: BigInt(hours) * 3_600_000_000_000n });
  assert.equal(parseStepMs({}, range(1)), 60_000);
  assert.equal(parseStepMs({}, range(24)), 900_000);
  assert.equal(parseStepMs({}, range(7 * 24)), 7_200_000);
  assert.equal(parseStepMs({}, range(30 * 24)), 21_600_000);
  assert.equal(parseStepMs({}, range(400 * 24)), 7 * 86_400_000);
  assert.equal(parseStepMs({ stepSeconds: '3600' }, range(24)), 3_600_000);
  badParam(() => parseStepMs({ stepSeconds: '0' }, range(1)), 'stepSeconds');
  badParam(() => parseStepMs({ stepSeconds: '1' }, range(24)), 'stepSeconds');
});
