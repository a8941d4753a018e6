import type { LogDto } from '@telemetryflow/contract';

/** Live tail state: what is shown (newest first) and, while paused, what arrived meanwhile. */
export interface TailState {
  shown: LogDto[];
  pending: LogDto[];
  paused: boolean;
  /** Records that fell off a full buffer, plus those the server dropped for a slow reader. */
  dropped: number;
}

export const TAIL_LIMIT = 2000;

export function emptyTail(): TailState {
  return { shown: [], pending: [], paused: false, dropped: 0 };
}

const newestFirst = (a: LogDto, b: LogDto) =>
  BigInt(b.timeUnixNano) > BigInt(a.timeUnixNano) ? 1 : BigInt(b.timeUnixNano) < BigInt(a.timeUnixNano) ? -1 : 0;

function prepend(list: LogDto[], incoming: LogDto[], limit: number): { list: LogDto[]; overflow: number } {
  const merged = [...[...incoming].sort(newestFirst), ...list];
  return { list: merged.slice(0, limit), overflow: Math.max(0, merged.length - limit) };
}

/** New records: shown at once, or held while paused; never more than `limit` of either. */
export function receive(state: TailState, incoming: LogDto[], serverDropped: number, limit = TAIL_LIMIT): TailState {
  const key = state.paused ? 'pending' : 'shown';
  const { list, overflow } = prepend(state[key], incoming, limit);
  return { ...state, [key]: list, dropped: state.dropped + overflow + serverDropped };
}

export function pause(state: TailState): TailState {
  return { ...state, paused: true };
}

/** Resuming shows what arrived while paused above what was shown. */
export function resume(state: TailState, limit = TAIL_LIMIT): TailState {
  const { list, overflow } = prepend(state.shown, state.pending, limit);
  return { shown: list, pending: [], paused: false, dropped: state.dropped + overflow };
}
