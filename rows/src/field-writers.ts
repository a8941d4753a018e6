// Field-level writers shared by the fused span and log encoders: they write RowBinary
// straight from decoded OTLP objects, with the conversions and checks of the row builders.
import { columnTypes, INSERT_COLUMNS, RowBinaryWriter } from '@telemetryflow/clickhouse';
import {
  anyValueToStored,
  cleanString,
  keyValuesToStored,
  type KeyValue,
  type RefusedItems,
  type StoredAttributes,
  type StoredType,
} from '@telemetryflow/otlp';
import { checkedId, envelopeColumns, InvalidItemError, type Envelope } from './fields.js';
import { RowBatchBuilder } from './row-batch.js';

/** A trace or span id as hex text, with the checks of idHex. */
export function writeId(
  w: RowBinaryWriter,
  id: Uint8Array | null | undefined,
  bytes: 8 | 16,
  field: string,
  required: boolean,
): void {
  const valid = checkedId(id, bytes, field, required);
  if (valid) w.hex(valid);
  else w.varUInt(0);
}

// Scratch space for one attribute list, reused for every list.
const keys: string[] = [];
const texts: string[] = [];
const types: (StoredType | undefined)[] = [];
/** Longer lists take the Record path: the duplicate check below is quadratic. */
const MAX_SCANNED = 64;

/**
 * The values and types Map columns of an attribute list, byte for byte what
 * keyValuesToStored's Records encode to. Records order keys by first insertion, but put
 * integer-like keys ("7") first and drop earlier duplicates; lists with a repeated key
 * or a key starting with a digit are rare, and go through the Record form to keep that.
 */
export function writeAttributes(w: RowBinaryWriter, kvs: KeyValue[] | null | undefined): void {
  const n = kvs?.length ?? 0;
  if (n === 0) {
    w.varUInt(0);
    w.varUInt(0);
    return;
  }
  if (n > MAX_SCANNED) return writeStored(w, keyValuesToStored(kvs));
  let typed = 0;
  for (let i = 0; i < n; i++) {
    const kv = kvs![i]!;
    const key = cleanString(kv.key);
    const first = key.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39) return writeStored(w, keyValuesToStored(kvs));
    for (let j = 0; j < i; j++) if (keys[j] === key) return writeStored(w, keyValuesToStored(kvs));
    const [text, type] = anyValueToStored(kv.value);
    keys[i] = key;
    texts[i] = text;
    types[i] = type;
    if (type) typed++;
  }
  w.varUInt(n);
  for (let i = 0; i < n; i++) {
    w.string(keys[i]!);
    w.string(texts[i]!);
  }
  w.varUInt(typed);
  for (let i = 0; i < n; i++) {
    const type = types[i];
    if (type === undefined) continue;
    w.string(keys[i]!);
    w.string(type);
  }
}

function writeStored(w: RowBinaryWriter, stored: StoredAttributes): void {
  w.map(stored.values);
  w.map(stored.types);
}

const ENVELOPE_AT = INSERT_COLUMNS.spans.findIndex(([name]) => name === 'ResourceAttributes');
/** The ENVELOPE columns (clickhouse/src/tables.ts), the same in spans and logs. */
const ENVELOPE_TYPES = columnTypes('spans').slice(ENVELOPE_AT, ENVELOPE_AT + 10);

/** What rows take from their resource and scope, with the envelope columns encoded once. */
export interface EncodedEnvelope {
  serviceName: string;
  columns: Uint8Array;
}

export function encodeEnvelope(env: Envelope): EncodedEnvelope {
  const w = new RowBinaryWriter(1024);
  w.columns(ENVELOPE_TYPES, envelopeColumns(env));
  return { serviceName: env.serviceName, columns: w.bytes() };
}

/** RowBinary rows of one table, and the items that were refused. */
export interface EncodedItems {
  data: Buffer;
  rows: number;
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/** Writes items one by one; a refused item's partial output is rolled back. */
export class ItemWriter {
  readonly w: RowBinaryWriter;
  private readonly tally: RowBatchBuilder;
  private rows = 0;

  /** `refused`: items the decoder refused already (they count as rejected). */
  constructor(initialBytes: number, refused: readonly RefusedItems[] = []) {
    this.w = new RowBinaryWriter(initialBytes);
    this.tally = new RowBatchBuilder(refused);
  }

  item<T>(kind: string, write: (w: RowBinaryWriter, item: T) => void, item: T): void {
    const at = this.w.position;
    try {
      write(this.w, item);
      this.rows++;
      this.tally.accept();
    } catch (err) {
      if (!(err instanceof InvalidItemError)) throw err;
      this.w.rollback(at);
      this.tally.reject(`${kind}: ${err.message}`);
    }
  }

  build(): EncodedItems {
    const { accepted, rejected, errorMessage } = this.tally.build();
    return { data: this.w.bytes(), rows: this.rows, accepted, rejected, errorMessage };
  }
}
