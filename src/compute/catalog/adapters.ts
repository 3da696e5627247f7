import type { StreamingIndicator } from "./definition.js";

interface EventIndicator<Input> {
  update(input: Input, replace: boolean): number | null;
  getResult(): number | null;
  readonly isStable: boolean;
}

/**
 * Some classes return a number only on the candles where something happens (a breakout bar, a
 * confirmed pivot, a candle with volume) and null in between, while keeping their last value as
 * the result. Reporting that last value on every later candle gives the level a stop or a chart
 * actually uses ("the most recent X so far"), looks at no future candle, and leaves nulls only
 * before the first event, as the series contract requires.
 */
export function holdLastValue<Input>(indicator: EventIndicator<Input>): StreamingIndicator {
  return {
    update(input: Input, replace: boolean) {
      const value = indicator.update(input, replace);
      if (value !== null) return value;
      return indicator.isStable ? indicator.getResult() : null;
    },
    get isStable() {
      return indicator.isStable;
    },
  };
}
