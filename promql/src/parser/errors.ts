import type { PositionRange } from './ast.js';

/** A parse error worded and positioned as Prometheus prints it: "1:5: parse error: …". */
export class ParseError extends Error {
  constructor(
    readonly pos: PositionRange,
    readonly detail: string,
    readonly query: string,
  ) {
    super(`${positionPrefix(query, pos.start)} parse error: ${detail}`);
    this.name = 'ParseError';
  }
}

function positionPrefix(query: string, pos: number): string {
  if (pos < 0 || pos > query.length) return 'invalid position:';
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos; i++) {
    if (query[i] === '\n') {
      line++;
      lastBreak = i;
    }
  }
  return `${line}:${pos - lastBreak}:`;
}
