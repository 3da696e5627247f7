import type { Redis, Result } from "ioredis";
import { seriesLineHead } from "../calculation/render.js";
import { whenReady } from "../coordination/redis-connections.js";
import { problem } from "../errors/registry.js";
import { RESULT_SOURCES } from "../scheduler/types.js";
import { seriesEventData } from "./events.js";
import {
  type CachedSeries,
  type JobEvent,
  type JobEventType,
  type JobRecord,
  type JobStatus,
  type JobStore,
  jobView,
  LISTED_SERIES_ERRORS,
  type NewJob,
  noSources,
  type RecordResult,
  type SeriesError,
  type SeriesInput,
  type SeriesOutcome,
  type SourceCounts,
  TERMINAL_STATUSES,
} from "./model.js";
import { PROGRESS_INTERVAL_MS } from "./progress.js";
import { decodeSeriesChunk, encodeSeriesChunk } from "./series-codec.js";

/** The JSON of a progress-shaped event from the meta hash's counters, in Lua. */
const LUA_PROGRESS = `
local SOURCE_NAMES = {${RESULT_SOURCES.map((source) => `'${source}'`).join(", ")}}
local function counters(meta)
  local m = redis.call('HMGET', meta, 'done', 'failed', 'total', unpack(SOURCE_NAMES))
  local n = {}
  for i = 1, 3 + #SOURCE_NAMES do n[i] = tonumber(m[i]) or 0 end
  return n
end
local function progressJson(n, now)
  local sources = {}
  for i, name in ipairs(SOURCE_NAMES) do sources[i] = '"' .. name .. '":' .. n[3 + i] end
  return '"done":' .. n[1] .. ',"failed":' .. n[2] .. ',"total":' .. n[3] ..
    ',"sources":{' .. table.concat(sources, ',') .. '},"at":' .. now
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function isOver(status)
  return (not status) or status == 'completed' or status == 'failed' or status == 'cancelled'
end
`;

/**
 * Records one series atomically with its events, so that a chunk run again after a worker died
 * neither doubles a result nor an event, and the events' order is the records' order.
 * KEYS: meta, results, events, errors, input. A: index, failed (0/1), series event data, error
 * JSON, errors listed, progress interval ms, then the source counts (SOURCE_NAMES' order).
 * The progress rule is progressDue's (progress.ts); the final status finalStatus's.
 */
const LUA_RECORD = `
local function record(KEYS, A, line)
  local meta, results, events, errors, input = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
  if redis.call('HSETNX', results, A[1], line) == 0 then return 'skipped' end
  local status = redis.call('HGET', meta, 'status')
  local now = nowMs()
  if status == 'queued' then redis.call('HSET', meta, 'status', 'running', 'startedAt', now) end
  if A[2] == '1' then
    redis.call('HINCRBY', meta, 'failed', 1)
    if redis.call('LLEN', errors) < tonumber(A[5]) then redis.call('RPUSH', errors, A[4]) end
  else
    redis.call('HINCRBY', meta, 'done', 1)
  end
  for i, name in ipairs(SOURCE_NAMES) do
    local count = tonumber(A[6 + i])
    if count > 0 then redis.call('HINCRBY', meta, name, count) end
  end
  redis.call('XADD', events, '*', 'type', 'series', 'data', A[3])
  local n = counters(meta)
  local finished, total = n[1] + n[2], n[3]
  local last = redis.call('HMGET', meta, 'lastProgressAt', 'lastProgressFinished')
  local lastAt, lastFinished = tonumber(last[1]) or 0, tonumber(last[2]) or 0
  if finished >= total or now - lastAt >= tonumber(A[6])
    or math.floor(finished * 100 / total) > math.floor(lastFinished * 100 / total) then
    redis.call('XADD', events, '*', 'type', 'progress', 'data', '{' .. progressJson(n, now) .. '}')
    redis.call('HSET', meta, 'lastProgressAt', now, 'lastProgressFinished', finished)
  end
  if finished >= total then
    local final = 'completed'
    if n[1] == 0 then final = 'failed' end
    redis.call('HSET', meta, 'status', final, 'finishedAt', now)
    redis.call('XADD', events, '*', 'type', final, 'data', '{"status":"' .. final .. '",' .. progressJson(n, now) .. '}')
    redis.call('DEL', input)
  end
  local ttl = redis.call('PTTL', meta)
  if ttl > 0 then
    for _, key in ipairs({results, events, errors}) do
      if redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, ttl) end
    end
  end
  if finished >= total then return redis.call('HGET', meta, 'status') end
  return 'recorded'
end
local function recordArgs(from)
  local A = {}
  for i = from, #ARGV do A[#A + 1] = ARGV[i] end
  return A
end
`;

/**
 * A computed series: KEYS as LUA_RECORD's plus the series cache entry (KEYS[6]). ARGV: the line,
 * whether to cache it (1/0), the cache TTL ms, then LUA_RECORD's. The cache entry is a reference
 * to the line in this job's results (`<results key> <index>`), not a copy: it lives no longer than
 * the job, and a job's results are not held twice (Redis's allocations for multi-megabyte
 * growth were its slowest commands in bench:jobs).
 */
const RECORD_SCRIPT = `${LUA_PROGRESS}${LUA_RECORD}
if isOver(redis.call('HGET', KEYS[1], 'status')) then return 'skipped' end
local outcome = record(KEYS, recordArgs(4), ARGV[1])
if outcome ~= 'skipped' and ARGV[5] == '0' and ARGV[2] == '1' then
  local ttl = math.min(tonumber(ARGV[3]), redis.call('PTTL', KEYS[1]))
  if ttl > 0 then redis.call('SET', KEYS[6], KEYS[2] .. ' ' .. ARGV[4], 'PX', ttl) end
end
return outcome
`;

/**
 * A series answered by the series cache, without its bytes crossing the network: 'miss' when
 * the entry, or the job it points into, is gone. KEYS as RECORD_SCRIPT's; ARGV: the line's head
 * (\`{"key":...,"results":\`), then LUA_RECORD's. The line found is another job's: its results
 * array is cut out after \`,"results":\` and each result's \`source\` says it came from the shared cache. Neither
 * \`,"results":\` nor \`"source":"\` can occur unescaped inside a JSON string, so only the members
 * match. (The referenced results key is not in KEYS: this store needs one Redis, not a cluster.)
 */
const RECORD_CACHED_SCRIPT = `${LUA_PROGRESS}${LUA_RECORD}
if isOver(redis.call('HGET', KEYS[1], 'status')) then return 'skipped' end
local ref = redis.call('GET', KEYS[6])
if not ref then return 'miss' end
local results, index = string.match(ref, '^(.*) (%d+)$')
local line = results and redis.call('HGET', results, index)
if not line then return 'miss' end
local at = string.find(line, ',"results":', 1, true)
if not at then return 'miss' end
-- Plain finds, not gsub: a pattern scan of a 100 KB line was the slowest part of a cached record.
local parts, from, last = {ARGV[1]}, at + 11, #line - 1
while true do
  local s, e = string.find(line, '"source":"', from, true)
  if not s or s > last then break end
  parts[#parts + 1] = string.sub(line, from, e)
  parts[#parts + 1] = 'shared'
  from = string.find(line, '"', e + 1, true)
  if not from then return 'miss' end
end
parts[#parts + 1] = string.sub(line, from, last)
parts[#parts + 1] = '}'
return record(KEYS, recordArgs(2), table.concat(parts))
`;

/** KEYS: meta, events, input. Ends a job that has not ended as cancelled, with its final event. */
const CANCEL_SCRIPT = `${LUA_PROGRESS}
local meta, events, input = KEYS[1], KEYS[2], KEYS[3]
local status = redis.call('HGET', meta, 'status')
if isOver(status) then return status or false end
local now = nowMs()
redis.call('HSET', meta, 'status', 'cancelled', 'finishedAt', now)
redis.call('XADD', events, '*', 'type', 'cancelled', 'data', '{"status":"cancelled",' .. progressJson(counters(meta), now) .. '}')
local ttl = redis.call('PTTL', meta)
if ttl > 0 and redis.call('PTTL', events) == -1 then redis.call('PEXPIRE', events, ttl) end
redis.call('DEL', input)
return 'cancelled'
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    recordJobSeries(...args: (string | Buffer | number)[]): Result<RecordResult, Context>;
    recordCachedJobSeries(...args: (string | number)[]): Result<RecordResult | "miss", Context>;
    cancelJob(...args: string[]): Result<string | null, Context>;
  }
}

export interface RedisJobStoreOptions {
  readonly prefix: string;
  readonly ttlMs: number;
  /** Event followers (SSE and WebSocket clients) this replica serves at once: one connection each. */
  readonly maxFollowers: number;
  /** How long a series' results stay in the series cache (the result cache's TTL). */
  readonly seriesCacheTtlMs: number;
  /** How long a follower's XREAD blocks before it checks whether the job is still there. */
  readonly blockMs?: number;
}

const DEFAULT_BLOCK_MS = 5_000;
const FOLLOW_BATCH = 500;

/**
 * The fleet's job store. Per job: a meta hash (status, counters, spec, keys), the inputs (one
 * binary field per chunk, deleted as chunks finish), the results (one field per series), the
 * errors listed and the event log, a Redis Stream: a client resumes from any stream id on any
 * replica, and nothing is lost while nobody listens, which pub/sub cannot give. Every key expires
 * with the job.
 */
export class RedisJobStore implements JobStore {
  readonly #client: Redis;
  readonly #options: RedisJobStoreOptions;
  #followers = 0;

  constructor(client: Redis, options: RedisJobStoreOptions) {
    this.#client = client;
    this.#options = options;
    client.defineCommand("recordJobSeries", { numberOfKeys: 6, lua: RECORD_SCRIPT });
    client.defineCommand("recordCachedJobSeries", { numberOfKeys: 6, lua: RECORD_CACHED_SCRIPT });
    client.defineCommand("cancelJob", { numberOfKeys: 3, lua: CANCEL_SCRIPT });
  }

  #key(id: string, part: "meta" | "input" | "results" | "events" | "errors"): string {
    return `${this.#options.prefix}job:${id}:${part}`;
  }

  async create(job: NewJob): Promise<void> {
    const ttl = this.#options.ttlMs;
    // The inputs first, one chunk per command: a job's input is up to MAX_JOB_BYTES, and one
    // transaction of 84 MB held Redis long enough for every replica's heartbeat to miss its
    // deadline (their breakers opened and a resubmitted job recomputed a chunk, bench:jobs).
    // Separate commands let other clients' commands in between; they are sent together, not one
    // round trip each. The meta hash is written last, so a job is never seen without its input.
    // The first chunk makes the key and its TTL, so a submitter dying mid-write leaves nothing forever.
    const input = this.#key(job.id, "input");
    const [first, ...rest] = job.chunks;
    await this.#client.hset(input, "0", encodeSeriesChunk(first ?? []));
    await this.#client.pexpire(input, ttl);
    // Encoding a chunk copies its columns (~4 ms for 25 series of 1,000 candles): one chunk per
    // turn of the event loop, or a 2,000-series job would hold this replica for a third of a second.
    const writes: Promise<number>[] = [];
    for (const [i, chunk] of rest.entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      const write = this.#client.hset(input, String(i + 1), encodeSeriesChunk(chunk));
      // Awaited below; handled now, so a write failing while later chunks encode is not unhandled.
      write.catch(() => undefined);
      writes.push(write);
    }
    await Promise.all(writes);
    const meta = this.#key(job.id, "meta");
    await this.#client
      .multi()
      .hset(meta, {
        owner: job.owner,
        status: "queued",
        createdAt: job.createdAt,
        total: job.keys.length,
        chunks: job.chunks.length,
        seriesPerChunk: job.seriesPerChunk,
        spec: JSON.stringify(job.spec),
        keys: JSON.stringify(job.keys),
        done: 0,
        failed: 0,
        lastProgressAt: job.createdAt,
        lastProgressFinished: 0,
      })
      .pexpire(meta, ttl)
      .exec();
  }

  async get(id: string): Promise<JobRecord | null> {
    const [meta, errors] = await Promise.all([
      this.#client.hgetall(this.#key(id, "meta")),
      this.#client.lrange(this.#key(id, "errors"), 0, LISTED_SERIES_ERRORS - 1),
    ]);
    if (meta.status === undefined) return null;
    const count = (name: string) => Number(meta[name] ?? 0);
    const time = (name: string) => (meta[name] === undefined ? undefined : Number(meta[name]));
    return {
      view: jobView({
        id,
        status: meta.status as JobStatus,
        createdAt: count("createdAt"),
        startedAt: time("startedAt"),
        finishedAt: time("finishedAt"),
        done: count("done"),
        failed: count("failed"),
        total: count("total"),
        sources: Object.fromEntries(RESULT_SOURCES.map((source) => [source, count(source)])) as SourceCounts,
        errors: errors.map((text) => JSON.parse(text) as SeriesError),
      }),
      owner: meta.owner ?? "",
      spec: JSON.parse(meta.spec ?? "{}"),
      keys: JSON.parse(meta.keys ?? "[]"),
      chunks: count("chunks"),
      seriesPerChunk: count("seriesPerChunk"),
    };
  }

  async #status(id: string): Promise<JobStatus | null> {
    return (await this.#client.hget(this.#key(id, "meta"), "status")) as JobStatus | null;
  }

  async input(id: string, chunk: number): Promise<readonly SeriesInput[] | null> {
    const bytes = await this.#client.hgetBuffer(this.#key(id, "input"), String(chunk));
    return bytes ? decodeSeriesChunk(bytes) : null;
  }

  async dropInput(id: string, chunk: number): Promise<void> {
    await this.#client.hdel(this.#key(id, "input"), String(chunk));
  }

  #recordKeys(id: string, digest: string): string[] {
    return [
      this.#key(id, "meta"),
      this.#key(id, "results"),
      this.#key(id, "events"),
      this.#key(id, "errors"),
      this.#key(id, "input"),
      `${this.#options.prefix}series:${digest}`,
    ];
  }

  /** LUA_RECORD's arguments. */
  #recordArgs(outcome: Parameters<typeof seriesEventData>[0]): (string | number)[] {
    const error = outcome.error ? JSON.stringify({ key: outcome.key, ...outcome.error }) : "";
    return [
      String(outcome.index),
      outcome.error ? "1" : "0",
      seriesEventData(outcome, Date.now()),
      error,
      LISTED_SERIES_ERRORS,
      PROGRESS_INTERVAL_MS,
      ...RESULT_SOURCES.map((source) => outcome.sources[source]),
    ];
  }

  async record(id: string, outcome: SeriesOutcome): Promise<RecordResult> {
    return this.#client.recordJobSeries(
      ...this.#recordKeys(id, outcome.digest ?? "none"),
      outcome.line,
      outcome.digest === undefined ? "0" : "1",
      this.#options.seriesCacheTtlMs,
      ...this.#recordArgs(outcome),
    );
  }

  async recordCached(id: string, series: CachedSeries): Promise<RecordResult | "miss"> {
    const sources = { ...noSources(), shared: series.units };
    return this.#client.recordCachedJobSeries(
      ...this.#recordKeys(id, series.digest),
      seriesLineHead(series.key).toString(),
      ...this.#recordArgs({ ...series, sources }),
    );
  }

  async cancel(id: string): Promise<JobRecord | null> {
    await this.#client.cancelJob(this.#key(id, "meta"), this.#key(id, "events"), this.#key(id, "input"));
    return this.get(id);
  }

  async results(id: string, from: number, count: number): Promise<(Buffer | null)[]> {
    if (count <= 0) return [];
    const fields = Array.from({ length: count }, (_, i) => String(from + i));
    return this.#client.hmgetBuffer(this.#key(id, "results"), ...fields);
  }

  async *follow(id: string, after: string | undefined, signal: AbortSignal): AsyncIterable<JobEvent> {
    if (this.#followers >= this.#options.maxFollowers) {
      throw problem("OVERLOADED", {
        reason: `This replica already serves ${this.#followers} event streams (JOB_MAX_FOLLOWERS)`,
        retryAfterSeconds: 5,
      });
    }
    this.#followers++;
    // A blocking read holds its connection: each follower has its own, closed when it leaves.
    const reader = this.#client.duplicate();
    reader.on("error", () => undefined);
    const stop = () => reader.disconnect();
    signal.addEventListener("abort", stop, { once: true });
    try {
      await whenReady(reader, DEFAULT_BLOCK_MS);
      const events = this.#key(id, "events");
      let last = after ?? "0";
      const blockMs = this.#options.blockMs ?? DEFAULT_BLOCK_MS;
      const read = (block: boolean) =>
        block
          ? reader.xread("COUNT", FOLLOW_BATCH, "BLOCK", blockMs, "STREAMS", events, last)
          : reader.xread("COUNT", FOLLOW_BATCH, "STREAMS", events, last);
      // Once caught up with a running job, every read blocks: a blocking read answers at once
      // when events are waiting, so a wake-up costs one round trip, not a read and a status check.
      let caughtUp = false;
      while (!signal.aborted) {
        let reply = await read(caughtUp);
        if (!reply) {
          // Nothing new. An ended (or expired) job has nothing more to send; its final event is
          // written with its final status, so one more read settles a race with that write.
          const status = await this.#status(id);
          if (status !== null && !TERMINAL_STATUSES.has(status)) {
            caughtUp = true;
            continue;
          }
          reply = await read(false);
          if (!reply) return;
        }
        for (const [, entries] of reply) {
          for (const [entryId, fields] of entries) {
            last = entryId;
            const event = toEvent(entryId, fields);
            yield event;
            if (TERMINAL_STATUSES.has(event.type as JobStatus)) return;
          }
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener("abort", stop);
      reader.disconnect();
      this.#followers--;
    }
  }

  async close(): Promise<void> {}
}

function toEvent(id: string, fields: string[]): JobEvent {
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i] as string] = fields[i + 1] as string;
  return { id, type: values.type as JobEventType, data: values.data ?? "{}" };
}
