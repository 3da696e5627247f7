import { decodeResult, type EntryShape } from "./result-entry.js";
import { computeTask } from "./task.js";

/** Piscina entry points: one unit of work per call. */
export default computeTask;

export interface DecodeTask {
  readonly shape: EntryShape;
  readonly entry: Uint8Array;
}

/** A shared-cache entry into a result, its JSON encoded here rather than on the event loop. */
export function decodeEntry({ shape, entry }: DecodeTask) {
  return decodeResult(shape, entry);
}
