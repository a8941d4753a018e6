// Pure: the OTLP fields beside names and attributes (flags, dropped counts) as a person reads them.

const SAMPLED = 0x1;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/**
 * Span and link flags (OTLP): W3C trace flags in bits 0–7, and in bits 8–9 whether the
 * parent (of a span) or the linked context (of a link) is known to be remote, and is.
 */
export function spanFlagsText(flags: number, remoteOf: 'parent' | 'context' = 'parent'): string {
  const parts = [flags & SAMPLED ? 'sampled' : 'not sampled'];
  if (flags & HAS_IS_REMOTE) parts.push(flags & IS_REMOTE ? `remote ${remoteOf}` : `local ${remoteOf}`);
  return parts.join(', ');
}

/** Log record flags: W3C trace flags of the span context it was emitted in. */
export function logFlagsText(flags: number): string {
  return flags & SAMPLED ? 'sampled' : 'not sampled';
}

/** "2 attributes, 1 link dropped"; '' when nothing was dropped. */
export function droppedText(counts: { attributes?: number; events?: number; links?: number }): string {
  const parts = (
    [
      ['attribute', counts.attributes ?? 0],
      ['event', counts.events ?? 0],
      ['link', counts.links ?? 0],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}${n === 1 ? '' : 's'}`);
  return parts.length ? `${parts.join(', ')} dropped` : '';
}

const KIND_WORDS: Record<string, string> = {
  SPAN_KIND_UNSPECIFIED: 'unspecified',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};
const KIND_NUMBERS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** A span kind as a word: `SPAN_KIND_SERVER`, `2` or `Server` → "server"; anything else as given. */
export function spanKindWord(kind: string | number): string {
  if (typeof kind === 'number' || /^\d$/.test(kind)) return KIND_NUMBERS[Number(kind)] ?? String(kind);
  return KIND_WORDS[kind] ?? KIND_WORDS[`SPAN_KIND_${kind.toUpperCase()}`] ?? kind;
}
