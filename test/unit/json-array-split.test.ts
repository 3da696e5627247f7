import { describe, expect, it } from "vitest";
import { splitArrayMember } from "../../src/wire/json-array-split.js";

/** The elements the split finds, each parsed alone. */
function parsedElements(text: string): unknown[] | undefined {
  const bytes = Buffer.from(text);
  const split = splitArrayMember(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), "series");
  if (!split) return undefined;
  const elements: unknown[] = [];
  for (let i = 0; i < split.bounds.length; i += 2) {
    elements.push(JSON.parse(bytes.subarray(split.bounds[i], split.bounds[i + 1]).toString()));
  }
  expect(JSON.parse(bytes.subarray(split.valueStart, split.valueEnd).toString())).toEqual(
    JSON.parse(text).series,
  );
  return elements;
}

/** A seeded generator, so that a failure names its case. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Strings that look like structure: brackets, commas, quotes and escapes, a `"series":` inside. */
const TRICKY = ['a"b', "],[", "}{", '\\"', "\\", '"series":[', "\u2028é😀", ""];

function value(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 3 || pick < 0.3) return Math.round(next() * 1e6) / 1e3;
  if (pick < 0.45) return TRICKY[Math.floor(next() * TRICKY.length)];
  if (pick < 0.5) return null;
  if (pick < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let k = 0; k < next() * 4; k++) object[TRICKY[k] ?? `k${k}`] = value(next, depth + 1);
  return object;
}

describe("splitArrayMember", () => {
  it("finds every element of the member's array, whatever the elements and the other members hold", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const series = Array.from({ length: 1 + Math.floor(next() * 6) }, () => ({
        key: TRICKY[Math.floor(next() * TRICKY.length)],
        candles: { close: Array.from({ length: 1 + Math.floor(next() * 5) }, () => next() * 100) },
        extra: value(next, 1),
      }));
      const body = { before: value(next, 1), series, indicators: [{ name: "SMA", note: '"series":[1]' }] };
      const spaced = next() < 0.5;
      const text = spaced ? JSON.stringify(body, null, 2) : JSON.stringify(body);
      expect(parsedElements(text), `seed ${seed}`).toEqual(series);
    }
  });

  it("skips candle columns by search and still splits at the right commas", () => {
    const series = Array.from({ length: 50 }, (_, i) => ({
      key: `S${i}`,
      candles: { close: [i, i + 0.5, 1e-7] },
    }));
    expect(parsedElements(JSON.stringify({ series }))).toEqual(series);
  });

  it.each([
    ["no such member", '{"indicators":[]}'],
    ["the member twice", '{"series":[1],"series":[2]}'],
    ["a value that is not an array", '{"series":{"a":1}}'],
    ["an empty array", '{"series":[ ]}'],
    ["an unterminated string", '{"series":[{"key":"a}]}'],
    ["an unclosed array", '{"series":[{"key":"a"}'],
    ["a string value, not a member", '{"symbol":"series","other":[1]}'],
    ["the member nested deeper", '{"outer":{"series":[1,2]}}'],
  ])("finds no split for %s", (_, text) => {
    expect(parsedElements(text)).toBeUndefined();
  });

  it("stays linear on arrays that cannot be skipped", () => {
    const text = `{"series":[${"[".repeat(200_000)}"x"${"]".repeat(200_000)}]}`;
    const started = performance.now();
    expect(splitArrayMember(Buffer.from(text), "series")?.bounds).toEqual([11, text.length - 2]);
    // A quadratic walk of 400 KB would take minutes; a linear one milliseconds.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
