import { Readable } from "node:stream";
import fastifyWebsocket from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { PlanOptions } from "../../calculation/plan.js";
import { JobResultsArrow } from "../../calculation/render.js";
import type { RequestLimits } from "../../calculation/request-schema.js";
import { IssueList, problem } from "../../errors/registry.js";
import type { JobEvent, JobRecord, JobView } from "../../jobs/model.js";
import type { JobRunner } from "../../jobs/runner.js";
import {
  type JobLimits,
  jobBodySchema,
  planJobResults,
  type ValidJob,
  validateArrowJob,
  validateJob,
} from "../../jobs/validate.js";
import {
  ARROW_STREAM_MEDIA_TYPE,
  JSON_MEDIA_TYPE,
  NDJSON_MEDIA_TYPE,
  negotiateResponseFormat,
  type WireFormat,
} from "../../wire/media-types.js";
import type { JsonBodyWorkers } from "../calculate/json-body-pool.js";
import { followOverWebSocket, sendEventStream } from "../jobs/event-streams.js";
import { registerBytesParser, registerJsonBodyParser } from "../json-body.js";
import {
  JOB_EVENTS_DESCRIPTION,
  JOB_RESULTS_ARROW_DESCRIPTION,
  JOB_RESULTS_DESCRIPTION,
  JobAcceptedSchema,
  JobSchema,
} from "../schemas/jobs.js";
import { problemResponses } from "../schemas/responses.js";
import { sendBytes } from "../send-bytes.js";
import { ValidatedBody } from "../validation.js";

export interface JobRouteDependencies {
  readonly runner: JobRunner;
  readonly limits: RequestLimits;
  readonly jobLimits: JobLimits;
  readonly plan: PlanOptions;
  readonly maxBodyBytes: number;
  readonly heartbeatMs: number;
  readonly onEvent?: (event: JobEvent) => void;
  /** Absent: every job body is parsed and validated on the event loop. */
  readonly jsonBodies?: JsonBodyWorkers;
}

const NEWLINE = Buffer.from("\n");
/** NDJSON is also what a client asking for JSON gets: many send `Accept: application/json` by default. */
const RESULT_MEDIA_TYPES = {
  json: [NDJSON_MEDIA_TYPE, JSON_MEDIA_TYPE],
  arrow: ARROW_STREAM_MEDIA_TYPE,
} as const;
/** Result lines read from the store per round trip while streaming. */
const RESULTS_BATCH = 64;
/** A stream id (`1733560000000-0`); standalone ids have the same shape. */
const EVENT_ID = /^\d{1,20}-\d{1,20}$/;

const idParams = z.object({ id: z.string().min(1).max(64) });
type IdParams = z.infer<typeof idParams>;

const owner = (request: FastifyRequest) => request.apiKeyId ?? "";

function links(id: string) {
  return { self: `/jobs/${id}`, events: `/jobs/${id}/events`, results: `/jobs/${id}/results` };
}

/** Where a client resumes: `Last-Event-ID` (what EventSource sends) or `?lastEventId=`. */
function resumeFrom(request: FastifyRequest): string | undefined {
  const header = request.headers["last-event-id"];
  const query = (request.query as { lastEventId?: unknown }).lastEventId;
  const given = typeof header === "string" && header !== "" ? header : query;
  if (given === undefined) return undefined;
  if (typeof given !== "string" || !EVENT_ID.test(given)) {
    const issues = new IssueList();
    issues.add("Last-Event-ID", "must be the id of an event this job sent, such as 1733560000000-0");
    throw issues.toError();
  }
  return given;
}

/**
 * Batch jobs: POST /jobs validates the whole job and queues it; its status, events (SSE and
 * WebSocket), results (NDJSON) and cancellation each have a route. A job belongs to the API key
 * that created it: any other key gets 404, as for a job that does not exist.
 */
export async function jobRoutes(app: FastifyInstance, deps: JobRouteDependencies): Promise<void> {
  const { runner } = deps;
  // Job bodies have their own parser: large ones are parsed and validated as a whole job in the
  // body workers (megabytes of candles, thousands of series), small ones on the event loop.
  const offload = deps.jsonBodies;
  const offloaded = (format: WireFormat) =>
    offload && {
      minBytes: offload.minBytes,
      parse: (body: Buffer) =>
        offload.pool.parseJob(body, deps.limits, { jobLimits: deps.jobLimits, plan: deps.plan, format }),
    };
  registerJsonBodyParser(app, offloaded("json"));
  registerBytesParser(
    app,
    ARROW_STREAM_MEDIA_TYPE,
    (bytes) => new ValidatedBody(validateArrowJob(bytes, deps.limits, deps.jobLimits, deps.plan)),
    offloaded("arrow"),
  );
  await app.register(fastifyWebsocket, { options: { maxPayload: 4_096 } });
  const record = (request: FastifyRequest<{ Params: IdParams }>): Promise<JobRecord> =>
    runner.get(request.params.id, owner(request));

  app.post(
    "/jobs",
    {
      bodyLimit: deps.maxBodyBytes,
      schema: {
        operationId: "createJob",
        summary: "Start a batch job over many series",
        description:
          "Every series is validated as a calculate body with the job's `indicators` and `options` would be, all problems at once (paths such as `series[17].candles.close[3]`), before anything is queued. Each series' units go through the same scheduler as calculate requests: a unit computed anywhere before is a cache hit.",
        tags: ["jobs"],
        consumes: [JSON_MEDIA_TYPE, ARROW_STREAM_MEDIA_TYPE],
        body: jobBodySchema(deps.limits, deps.jobLimits),
        response: { 202: JobAcceptedSchema, ...problemResponses(400, 401, 413, 415, 422, 429, 500, 503) },
      },
      // The route schema documents the body; this validates it (per series, in a typed pass over
      // candle values) and hands the validator the result.
      preValidation: async (request) => {
        if (request.body instanceof ValidatedBody) return;
        request.body = new ValidatedBody(validateJob(request.body, deps.limits, deps.jobLimits, deps.plan));
      },
    },
    async (request, reply) => {
      const view = await runner.submit(request.body as ValidJob, owner(request));
      reply.code(202).header("location", `/jobs/${view.id}`);
      return { id: view.id, status: view.status, total: view.progress.total, links: links(view.id) };
    },
  );

  app.get<{ Params: IdParams }>(
    "/jobs/:id",
    {
      schema: {
        operationId: "getJob",
        summary: "A job's status and progress",
        tags: ["jobs"],
        params: idParams,
        response: { 200: JobSchema, ...problemResponses(400, 401, 404, 429, 500, 503) },
      },
    },
    async (request): Promise<JobView> => (await record(request)).view,
  );

  app.delete<{ Params: IdParams }>(
    "/jobs/:id",
    {
      schema: {
        operationId: "cancelJob",
        summary: "Cancel a job: running series finish, nothing new starts",
        tags: ["jobs"],
        params: idParams,
        response: { 200: JobSchema, ...problemResponses(400, 401, 404, 429, 500, 503) },
      },
    },
    async (request): Promise<JobView> => (await runner.cancel(request.params.id, owner(request))).view,
  );

  app.get<{ Params: IdParams }>(
    "/jobs/:id/events",
    {
      schema: {
        operationId: "getJobEvents",
        summary: "A job's events, live (Server-Sent Events)",
        tags: ["jobs"],
        params: idParams,
        response: {
          200: {
            description: JOB_EVENTS_DESCRIPTION,
            content: { "text/event-stream": { schema: z.string() } },
          },
          ...problemResponses(400, 401, 404, 429, 500, 503),
        },
      },
    },
    async (request, reply) => {
      const after = resumeFrom(request);
      await record(request);
      return sendEventStream(reply, {
        store: runner.store,
        jobId: request.params.id,
        after,
        heartbeatMs: deps.heartbeatMs,
        onEvent: deps.onEvent,
      });
    },
  );

  app.get<{ Params: IdParams }>(
    "/jobs/:id/ws",
    {
      websocket: true,
      schema: {
        operationId: "getJobEventsWebSocket",
        summary: "A job's events over a WebSocket",
        description:
          'The events of `/jobs/{id}/events` as JSON messages `{"id", "event", "data"}`. Resume with `?lastEventId=` or by sending `{"lastEventId": "..."}`; the server closes with 1000 after the final event.',
        tags: ["jobs"],
        params: idParams,
      },
      // Before the upgrade: a refusal is a plain HTTP problem+json answer.
      preHandler: async (request) => {
        resumeFrom(request);
        await record(request as FastifyRequest<{ Params: IdParams }>);
      },
    },
    (socket, request) => {
      followOverWebSocket(
        socket,
        {
          store: runner.store,
          jobId: (request.params as IdParams).id,
          after: resumeFrom(request),
          heartbeatMs: deps.heartbeatMs,
          onEvent: deps.onEvent,
        },
        (id) => EVENT_ID.test(id),
      );
    },
  );

  app.get<{ Params: IdParams; Querystring: { key?: string } }>(
    "/jobs/:id/results",
    {
      schema: {
        operationId: "getJobResults",
        summary: "A job's results, streamed as NDJSON or Arrow",
        tags: ["jobs"],
        params: idParams,
        querystring: z.object({
          key: z.string().min(1).max(128).optional().describe("Only this series' line."),
        }),
        response: {
          200: {
            description: JOB_RESULTS_DESCRIPTION,
            content: {
              [NDJSON_MEDIA_TYPE]: { schema: z.string() },
              [ARROW_STREAM_MEDIA_TYPE]: {
                schema: z.string().meta({ format: "binary", description: JOB_RESULTS_ARROW_DESCRIPTION }),
              },
            },
          },
          ...problemResponses(400, 401, 404, 406, 409, 429, 500, 503),
        },
      },
    },
    async (request, reply) => {
      // Before any work, as for calculate: a client that cannot read the answer should not pay for it.
      const format = negotiateResponseFormat(request.headers.accept, RESULT_MEDIA_TYPES);
      reply.header("vary", "Accept");
      const job = await record(request);
      const { store } = runner;
      const id = request.params.id;
      const arrow =
        format === "arrow" ? new JobResultsArrow(id, planJobResults(job.spec, deps.plan)) : undefined;
      const mediaType = format === "arrow" ? ARROW_STREAM_MEDIA_TYPE : NDJSON_MEDIA_TYPE;
      const encode = (line: Buffer): Uint8Array[] => (arrow ? arrow.write(line) : [line, NEWLINE]);
      const key = request.query.key;
      if (key !== undefined) {
        const index = job.keys.indexOf(key);
        if (index < 0) throw problem("SERIES_NOT_FOUND", { id, key });
        const [line] = await store.results(id, index, 1);
        if (!line) throw problem("SERIES_NOT_FINISHED", { key });
        return sendBytes(reply, [...encode(line), ...(arrow?.end() ?? [])], mediaType);
      }
      const total = job.keys.length;
      async function* chunks() {
        for (let from = 0; from < total; from += RESULTS_BATCH) {
          const parts: Uint8Array[] = [];
          for (const line of await store.results(id, from, Math.min(RESULTS_BATCH, total - from))) {
            if (!line) continue;
            parts.push(...encode(line));
            // An Arrow batch parses its ~100 KB line: one per turn, so the loop serves others between.
            if (arrow) await new Promise((resolve) => setImmediate(resolve));
          }
          if (parts.length > 0) yield Buffer.concat(parts);
        }
        if (arrow) yield Buffer.concat(arrow.end());
      }
      // Streamed a batch at a time: a 2,000-series job's results are never one body in memory.
      reply.type(mediaType);
      return reply.send(Readable.from(chunks(), { objectMode: false }));
    },
  );
}
