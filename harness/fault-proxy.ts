/**
 * A fault-injecting TCP proxy to put between the service and a real redis-server.
 *
 * A slow or flaky network is a different failure from a dead or frozen Redis: the fault suites kill
 * redis-server and SIGSTOP it elsewhere, but neither shows what added latency, jitter, a bandwidth cap
 * or a cut connection do to timeouts, pipelining and reconnects. This proxy injects exactly those,
 * per chunk and per direction, without touching Redis itself. Pure `node:net`, for tests and benches.
 */
import { once } from "node:events";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";

export interface FaultSettings {
  /** Added to every chunk, each way (so a round trip gains 2x this). Default 0. */
  readonly latencyMs?: number;
  /** Extra uniform random delay in [0, jitterMs) per chunk, each way; order is still preserved. Default 0. */
  readonly jitterMs?: number;
  /** Per connection and direction, bytes per second (token-bucket pacing); undefined = unlimited. */
  readonly bandwidthBytesPerSecond?: number;
}

/** Queued bytes per direction at which the source is paused, so a capped bulk transfer stays bounded. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** Token-bucket depth in seconds of bandwidth: small enough that pacing is smooth, big enough for few timers. */
const BURST_SECONDS = 0.02;
/** Longest close() waits for the close events of the sockets it destroyed. */
const CLOSE_WAIT_MS = 1_000;

/** `null` stands for the source's FIN, which must follow its data through the same delays. */
interface Chunk {
  readonly at: number;
  data: Buffer | null;
}

/** One direction of one connection: delays chunks in order, paces them and respects backpressure. */
class Pipe {
  readonly #source: Socket;
  readonly #dest: Socket;
  readonly #settings: () => FaultSettings;
  readonly #forwarded: (bytes: number) => void;
  #queue: Chunk[] = [];
  #queuedBytes = 0;
  #lastAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #paused = false;
  #stopped = false;
  #tokens = 0;
  #refilledAt = 0;

  constructor(
    source: Socket,
    dest: Socket,
    settings: () => FaultSettings,
    forwarded: (bytes: number) => void,
  ) {
    this.#source = source;
    this.#dest = dest;
    this.#settings = settings;
    this.#forwarded = forwarded;
    source.on("data", (data: Buffer) => this.#push(data));
    source.on("end", () => this.#push(null));
    dest.on("drain", () => this.#pump());
  }

  /** The destination is gone: drop what is queued and the timer with it. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  #push(data: Buffer | null): void {
    if (this.#stopped) return;
    const { latencyMs = 0, jitterMs = 0 } = this.#settings();
    // Never before the previous chunk: jitter delays, it does not reorder (TCP would not either).
    const at = Math.max(performance.now() + latencyMs + Math.random() * jitterMs, this.#lastAt);
    this.#lastAt = at;
    this.#queue.push({ at, data });
    this.#queuedBytes += data?.length ?? 0;
    if (this.#timer === undefined) this.#pump();
    else this.#flow();
  }

  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (!this.#stopped && !this.#dest.writableNeedDrain) {
      const head = this.#queue[0];
      if (head === undefined) break;
      const now = performance.now();
      if (head.at > now) {
        this.#wake(head.at - now);
        break;
      }
      if (head.data === null) {
        this.#queue.shift();
        this.#dest.end();
        break;
      }
      const size = this.#allowance(head.data.length, now);
      if (size === 0) break;
      const piece = head.data.subarray(0, size);
      if (size < head.data.length) head.data = head.data.subarray(size);
      else this.#queue.shift();
      this.#queuedBytes -= size;
      this.#forwarded(size);
      this.#dest.write(piece);
    }
    this.#flow();
  }

  /** Bytes of `wanted` the bandwidth cap lets through now; 0 means a timer is set for when it will. */
  #allowance(wanted: number, now: number): number {
    const rate = this.#settings().bandwidthBytesPerSecond;
    if (rate === undefined) return wanted;
    const burst = Math.max(1, Math.floor(rate * BURST_SECONDS));
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
    const size = Math.min(wanted, burst);
    if (this.#tokens < size) {
      this.#wake(((size - this.#tokens) / rate) * 1000);
      return 0;
    }
    this.#tokens -= size;
    return size;
  }

  #wake(ms: number): void {
    this.#timer = setTimeout(() => this.#pump(), Math.ceil(ms));
  }

  /** Stops reading while too much waits here or the destination's buffer is full. */
  #flow(): void {
    const full = this.#queuedBytes >= HIGH_WATER_BYTES || this.#dest.writableNeedDrain;
    if (full && !this.#paused && !this.#stopped) {
      this.#paused = true;
      this.#source.pause();
    } else if (!full && this.#paused) {
      this.#paused = false;
      this.#source.resume();
    }
  }
}

/** A reset, like a network cut; a socket still connecting has nothing to reset yet. */
function kill(socket: Socket): void {
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** A client connection and its connection to the target, joined by two pipes. */
class Connection {
  readonly client: Socket;
  readonly target: Socket;
  readonly closed: Promise<unknown>;

  constructor(
    client: Socket,
    target: Socket,
    settings: () => FaultSettings,
    bytes: { toTarget: number; toClient: number },
  ) {
    this.client = client;
    this.target = target;
    const up = new Pipe(client, target, settings, (n) => {
      bytes.toTarget += n;
    });
    const down = new Pipe(target, client, settings, (n) => {
      bytes.toClient += n;
    });
    // Not events.once: that rejects on "error", and errors here are expected.
    const closed = (socket: Socket) => new Promise((resolve) => socket.once("close", resolve));
    this.closed = Promise.all([closed(client), closed(target)]);
    this.#join(client, target, down);
    this.#join(target, client, up);
  }

  /** When `socket` closes, the pipe into it stops; unless it closed cleanly both ways, so does the other side. */
  #join(socket: Socket, other: Socket, into: Pipe): void {
    // A peer's RST (ECONNRESET) or writing after it went (EPIPE) is a fault to forward, not to crash on.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      into.stop();
      // After a clean close the other side still flushes its queued data and FIN; otherwise, cut it too.
      if (!(socket.readableEnded && socket.writableFinished)) kill(other);
    });
  }

  destroy(): void {
    kill(this.client);
    kill(this.target);
  }
}

export class FaultProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #connections = new Set<Connection>();
  readonly #bytes = { toTarget: 0, toClient: 0 };
  #settings: FaultSettings = {};
  #refusing = false;

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.#server = server;
    this.port = port;
    this.#target = target;
    server.on("connection", (socket) => this.#accept(socket));
  }

  /** Listens on 127.0.0.1 on a free port and forwards to target. */
  static async start(
    target: { host?: string; port: number },
    settings: FaultSettings = {},
  ): Promise<FaultProxy> {
    // Half-open so a FIN from one side is forwarded after the data before it, not turned into a close.
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("fault proxy has no port");
    const proxy = new FaultProxy(server, address.port, {
      host: target.host ?? "127.0.0.1",
      port: target.port,
    });
    proxy.set(settings);
    return proxy;
  }

  /** redis://127.0.0.1:<port> convenience. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Changes the faults; applies to data forwarded from now on, on existing and new connections. */
  set(settings: FaultSettings): void {
    const { latencyMs = 0, jitterMs = 0, bandwidthBytesPerSecond } = settings;
    if (!(latencyMs >= 0 && jitterMs >= 0 && Number.isFinite(latencyMs + jitterMs))) {
      throw new RangeError(`latencyMs and jitterMs must be finite and >= 0: ${latencyMs}, ${jitterMs}`);
    }
    if (bandwidthBytesPerSecond !== undefined && !(bandwidthBytesPerSecond > 0)) {
      throw new RangeError(`bandwidthBytesPerSecond must be > 0: ${bandwidthBytesPerSecond}`);
    }
    this.#settings = { ...settings };
  }

  /** Destroys every open connection, both sides (like a network cut / RST). */
  cutConnections(): void {
    for (const connection of this.#connections) connection.destroy();
  }

  /** While true, new connections are accepted and destroyed at once (a partition). */
  refuseNew(refuse: boolean): void {
    this.#refusing = refuse;
  }

  /** Open client connections right now. */
  get connections(): number {
    let open = 0;
    for (const connection of this.#connections) if (!connection.client.destroyed) open++;
    return open;
  }

  /** Bytes forwarded so far, per direction. */
  get bytes(): { readonly toTarget: number; readonly toClient: number } {
    return { ...this.#bytes };
  }

  async close(): Promise<void> {
    this.#refusing = true;
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const connections = [...this.#connections];
    this.cutConnections();
    // Every socket's close event, so no handle outlives close(); but bounded: in the soak (Redis
    // killed and restarted behind the proxy) one connection's close event was seen never to
    // arrive, although both its sockets were destroyed.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    await Promise.race([Promise.all(connections.map((connection) => connection.closed)), bound]);
    clearTimeout(timer);
    await stopped;
  }

  #accept(client: Socket): void {
    client.on("error", () => undefined);
    if (this.#refusing) {
      kill(client);
      return;
    }
    const target = netConnect({ ...this.#target, allowHalfOpen: true, noDelay: true });
    const connection = new Connection(client, target, () => this.#settings, this.#bytes);
    this.#connections.add(connection);
    void connection.closed.then(() => this.#connections.delete(connection));
  }
}
