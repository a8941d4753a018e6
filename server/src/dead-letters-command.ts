// `telemetryflow dead-letters list` / `replay <seq>… | --all`: look at and re-publish the
// messages writers gave up on.
import { connectBus, listDeadLetters, replayDeadLetters } from '@telemetryflow/bus';
import type { Config } from './config.js';

export async function deadLettersCommand(
  config: Config,
  args: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  if (!config.natsUrl) {
    out('dead letters exist only in distributed mode: set NATS_URL');
    return 2;
  }
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'replay') {
    out('usage: dead-letters list | dead-letters replay <seq>... | dead-letters replay --all');
    return 2;
  }
  const bus = await connectBus(config.natsUrl, 'telemetryflow-dead-letters');
  try {
    if (action === 'list') {
      const letters = await listDeadLetters(bus, config.jetstream);
      out(`${letters.length} dead letter(s)`);
      for (const l of letters) {
        out(
          `${l.seq}\t${l.deadAt.toISOString()}\t${l.signal}\ttenant=${l.tenantId}\t${l.bytes} B\toriginal seq ${l.originalSeq}\t${l.reason}`,
        );
      }
      return 0;
    }
    // Only --all needs the listing; named sequences are read once, by the replay itself.
    const wanted = rest.includes('--all')
      ? (await listDeadLetters(bus, config.jetstream, Number.MAX_SAFE_INTEGER)).map((l) => l.seq)
      : rest.map(Number);
    if (wanted.length === 0 || wanted.some((n) => !Number.isInteger(n) || n <= 0)) {
      out('replay needs dead-letter sequence numbers (see dead-letters list) or --all');
      return 2;
    }
    const replayed = await replayDeadLetters(bus, config.jetstream, wanted);
    out(`replayed ${replayed.length} of ${wanted.length}: ${replayed.join(', ')}`);
    return replayed.length === wanted.length ? 0 : 1;
  } finally {
    await bus.close();
  }
}
