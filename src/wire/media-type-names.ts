/**
 * The media types the API speaks, with no imports: the web console's bundle uses them too, and
 * must not pull server code in with them.
 */
export const JSON_MEDIA_TYPE = "application/json";
/** The Arrow IPC streaming format, as registered with IANA. */
export const ARROW_STREAM_MEDIA_TYPE = "application/vnd.apache.arrow.stream";
/** A job's results: one JSON document per line. */
export const NDJSON_MEDIA_TYPE = "application/x-ndjson";
