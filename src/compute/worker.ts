import { computeTask } from "./task.js";

/** Piscina entry point: one unit of work per call. */
export default computeTask;
