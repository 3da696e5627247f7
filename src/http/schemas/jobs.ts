import { z } from "zod";
import { ERROR_CODES } from "../../errors/registry.js";
import { JOB_STATUSES } from "../../jobs/model.js";
import { RESULT_SOURCES } from "../../scheduler/types.js";

/** Schemas of what the job routes send: they document the API in openapi.yaml. */

const status = z.enum(JOB_STATUSES);
const count = z.number().int().min(0);

export const JobLinksSchema = z.object({
  self: z.string().describe("GET: the job's status."),
  events: z.string().describe("GET: its events as Server-Sent Events (`/ws`: the same over a WebSocket)."),
  results: z
    .string()
    .describe("GET: its results as NDJSON, one line per finished series in input order (Arrow on Accept)."),
});

export const JobAcceptedSchema = z
  .object({ id: z.string(), status, total: count, links: JobLinksSchema })
  .meta({ id: "JobAccepted" });

export const JobSchema = z
  .object({
    id: z.string().describe("128 random bits, base64url."),
    status,
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().optional().describe("When the first series finished."),
    finishedAt: z.iso.datetime().optional(),
    progress: z.object({
      done: count.describe("Series finished with results."),
      failed: count.describe("Series that ended with an error (listed under `errors`)."),
      total: count,
      sources: z
        .object(
          Object.fromEntries(RESULT_SOURCES.map((source) => [source, count])) as Record<
            (typeof RESULT_SOURCES)[number],
            typeof count
          >,
        )
        .describe(
          "Where the finished series' units came from, summed: computed here, memory, shared cache, awaited from another replica, joined in flight.",
        ),
    }),
    errors: z
      .array(z.object({ key: z.string(), code: z.enum(ERROR_CODES), detail: z.string() }))
      .describe("The first 100 failed series."),
  })
  .meta({ id: "Job" });

export const JOB_EVENTS_DESCRIPTION =
  "Server-Sent Events. `progress` ({done, failed, total, sources, at}) when 100 ms have passed or the job has moved on by 1%; `series` ({key, index, status, sources, code?, detail?, at}) for every finished series; finally one of `completed`, `failed`, `cancelled` (the last progress plus `status`). Every event has an `id`: reconnect with `Last-Event-ID` (or `?lastEventId=`) to get exactly what was missed, on any replica. Comment lines are heartbeats.";

export const JOB_RESULTS_DESCRIPTION =
  'NDJSON, one line per finished series in input order: `{"key": ..., "results": [...]}` with `results` as in the calculate response, or `{"key": ..., "error": {"code", "detail"}}` for a failed series. While the job runs, the series finished so far.';

export const JOB_RESULTS_ARROW_DESCRIPTION =
  "Sent when `Accept` asks for `application/vnd.apache.arrow.stream`: one Arrow IPC stream in long form, a Utf8 `key` column and the calculate response's Arrow columns (`{id}`, `{id}.{output}`), one record batch per finished series in input order; failed series have no rows. The schema metadata `response` holds `{job, results: [{id, name, implementation, params}]}`. A job whose result ids make the same column twice (an id with a dot) gets 400 naming the id, as an Arrow calculate request would.";
