import { OBV } from "trading-signals";
import { defineIndicator, SINGLE_OUTPUT } from "./definition.js";
import { NO_PARAMS } from "./params.js";

export const volumeIndicators = [
  defineIndicator({
    name: "OBV",
    aliases: ["OnBalanceVolume"],
    category: "volume",
    description: "On-balance volume: running total of volume signed by the close's direction.",
    reads: ["close", "volume"],
    input: "candle",
    params: NO_PARAMS,
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 1.",
    talibDifference: "Starts from 0 at the second candle; TA-Lib starts at the first candle's volume.",
    version: 1,
    costNsPerCandle: 20,
    // The constructor argument is only the size of the look-back buffer; 2 is what the formula needs.
    create: () => new OBV(2),
  }),
];
