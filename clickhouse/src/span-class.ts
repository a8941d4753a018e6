/**
 * The class of one raw span (a row of `spans`) as the per-service rollups store it (`Entry`,
 * 0013): 'server_consumer', 'root' (a root span of another kind) or 'other'. Fixed SQL.
 */
export const RAW_SPAN_CLASS = "multiIf(Kind IN ('SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'), 'server_consumer', ParentSpanId = toFixedString('', 8), 'root', 'other')";
