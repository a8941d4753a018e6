/**
 * Where this instance takes OTLP: the ports its receivers listen on (the ones bound, when they
 * run in the API's process; else the configured TF_OTLP_HTTP_PORT / TF_OTLP_GRPC_PORT), on the
 * host the console was loaded from. Null: the API does not know (no receiver configured).
 */
export interface IngestEndpointsDto {
  otlpHttpPort: number | null;
  otlpGrpcPort: number | null;
}

/** Whether the tenant has stored any span at all (whatever the time range). */
export interface TracePresenceDto {
  stored: boolean;
}
