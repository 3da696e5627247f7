/**
 * How much work a replica has taken on and not finished: estimated bytes held (request bodies,
 * their columns, results and responses) and estimated compute time. Work beyond either bound is
 * refused at once, before it costs anything, instead of queueing until memory runs out: an
 * unbounded queue answers every request eventually, after the replica has swapped or died.
 *
 * A request alone is always admitted, whatever its size: the per-request limits
 * (BODY_LIMIT_BYTES, MAX_REQUEST_COMPUTE_MS) bound it, and refusing it would refuse it forever.
 */
export interface AdmissionLimits {
  readonly maxBytes: number;
  readonly maxComputeMs: number;
}

/** `queue`: the worker pool's queue was full (counted here so every refusal is in one place). */
export type RefusalReason = "bytes" | "compute" | "queue";

export interface AdmissionListener {
  onAdmitted?(): void;
  onRefused?(reason: RefusalReason): void;
}

/** One request's share of the budget. Growing it may be refused; releasing is idempotent. */
export interface AdmissionTicket {
  /** Sets this ticket's holding to these totals; the reason when growing it is refused (nothing changes then). */
  resize(bytes: number, computeMs: number): RefusalReason | null;
  release(): void;
}

export class AdmissionBudget {
  readonly #limits: AdmissionLimits;
  #listener: AdmissionListener = {};
  #bytes = 0;
  #computeMs = 0;
  #tickets = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /** One listener (the metrics), as SchedulerStats has. */
  listen(listener: AdmissionListener): void {
    this.#listener = listener;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get computeMs(): number {
    return this.#computeMs;
  }

  get tickets(): number {
    return this.#tickets;
  }

  /** A refusal decided elsewhere (the pool's queue), reported with the others. */
  refused(reason: RefusalReason): void {
    this.#listener.onRefused?.(reason);
  }

  /** A ticket holding `bytes`, or the reason it cannot be had now. */
  admit(bytes: number, computeMs = 0): AdmissionTicket | RefusalReason {
    const refused = this.#refusal(bytes, computeMs, this.#tickets === 0);
    if (refused) {
      this.#listener.onRefused?.(refused);
      return refused;
    }
    this.#listener.onAdmitted?.();
    return this.#issue(bytes, computeMs);
  }

  #refusal(addBytes: number, addComputeMs: number, alone: boolean): RefusalReason | null {
    if (alone) return null;
    if (addBytes > 0 && this.#bytes + addBytes > this.#limits.maxBytes) return "bytes";
    if (addComputeMs > 0 && this.#computeMs + addComputeMs > this.#limits.maxComputeMs) return "compute";
    return null;
  }

  #issue(bytes: number, computeMs: number): AdmissionTicket {
    let heldBytes = bytes;
    let heldComputeMs = computeMs;
    let released = false;
    this.#bytes += bytes;
    this.#computeMs += computeMs;
    this.#tickets++;
    return {
      resize: (bytes, computeMs) => {
        if (released) return null;
        const addBytes = bytes - heldBytes;
        const addComputeMs = computeMs - heldComputeMs;
        const refused = this.#refusal(addBytes, addComputeMs, this.#tickets === 1);
        if (refused) {
          this.#listener.onRefused?.(refused);
          return refused;
        }
        this.#bytes += addBytes;
        this.#computeMs += addComputeMs;
        heldBytes = bytes;
        heldComputeMs = computeMs;
        return null;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#bytes -= heldBytes;
        this.#computeMs -= heldComputeMs;
        this.#tickets--;
      },
    };
  }
}
