// The two levels every signal's request shares, read off the wire: a ResourceX message and its
// ScopeX messages. Each scope's envelope (resource and scope attributes, schema URLs) goes to the
// signal's reader with where the scope ends and where its children start.
import { otlpRoot, type InstrumentationScope, type Resource } from '@telemetryflow/otlp';
import { resourceEnvelope, withScope } from './fields.js';
import { decodeAt, lengthEnd, readGroup, readString, type Reader } from './protobuf-wire.js';

const RESOURCE = otlpRoot.lookupType('opentelemetry.proto.resource.v1.Resource');
const SCOPE = otlpRoot.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');

export type ScopeEnvelope = ReturnType<typeof withScope>;

/** Reads the ResourceX message ending at `end`; `visit` is called once per ScopeX in it. */
export function forEachScope(
  r: Reader,
  end: number,
  visit: (env: ScopeEnvelope, scopeEnd: number, childAts: readonly number[]) => void,
): void {
  const group = readGroup(r, end, 1);
  const resource = group.headAt < 0 ? undefined : (decodeAt(RESOURCE, r, group.headAt, 2) as Resource);
  const res = resourceEnvelope(resource, readString(r, group.schemaUrlAt));
  for (const at of group.childAts) {
    r.pos = at;
    const scopeEnd = lengthEnd(r, end);
    const scopeGroup = readGroup(r, scopeEnd, 2);
    const scope =
      scopeGroup.headAt < 0 ? undefined : (decodeAt(SCOPE, r, scopeGroup.headAt, 3) as InstrumentationScope);
    visit(withScope(res, scope, readString(r, scopeGroup.schemaUrlAt)), scopeEnd, scopeGroup.childAts);
  }
}
