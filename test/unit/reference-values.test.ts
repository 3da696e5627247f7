import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { CandleColumns } from "../../src/candles/vocabulary.js";
import { findIndicator } from "../../src/compute/catalog/index.js";
import { runIndicator } from "../../src/compute/run.js";

/**
 * Checks core indicators against numbers published outside this code base (textbook worked
 * examples, StockCharts ChartSchool spreadsheets) or, where no table exists, against a spreadsheet
 * reproduced by hand with naive exact arithmetic. Each fixture in test/fixtures/reference/ cites its
 * source, states its tolerance (matching the table's rounding) and explains any convention difference;
 * values the service should not agree with are left null (not compared) and kept under `uncompared`.
 */

const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/reference/", import.meta.url));

/** Covers binary floating point when a published value sits exactly on a rounding boundary. */
const FLOAT_SLACK = 1e-12;

const numbers = z.array(z.number());
const aligned = z.record(z.string(), z.array(z.number().nullable()));

const fixtureSchema = z.strictObject({
  indicator: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  source: z
    .strictObject({
      title: z.string().min(1),
      url: z.url().optional(),
      reference: z.string().min(1).optional(),
      notes: z.string().min(1),
    })
    .refine((source) => source.url !== undefined || source.reference !== undefined, {
      message: "a source needs a url or a reference",
    }),
  /** Largest allowed |published - service|, in the published table's units. */
  tolerance: z.number().min(0),
  /** Maps the service's value into the table's units: service * scale + offset (e.g. ratio to percent). */
  outputTransform: z.strictObject({ scale: z.number(), offset: z.number() }).optional(),
  input: z.strictObject({
    open: numbers.optional(),
    high: numbers.optional(),
    low: numbers.optional(),
    close: numbers,
    volume: numbers.optional(),
  }),
  /** Published values aligned with the input; null = not compared. */
  expected: aligned,
  /** Published values deliberately not compared (convention differences), for the record. */
  uncompared: aligned.optional(),
});

type ReferenceFixture = z.infer<typeof fixtureSchema>;

function loadFixtures(): Array<{ file: string; fixture: ReferenceFixture }> {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const raw: unknown = JSON.parse(readFileSync(FIXTURE_DIR + file, "utf8"));
      const parsed = fixtureSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
      return { file, fixture: parsed.data };
    });
}

function toColumns(input: ReferenceFixture["input"]): CandleColumns {
  const columns: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(input)) {
    if (values !== undefined) columns[name] = Float64Array.from(values);
  }
  return columns as CandleColumns;
}

/** Every compared value that the service misses or gets wrong, as readable lines. */
function mismatches(fixture: ReferenceFixture, outputs: Readonly<Record<string, Float64Array>>): string[] {
  const { scale, offset } = fixture.outputTransform ?? { scale: 1, offset: 0 };
  const problems: string[] = [];
  for (const [name, expectedValues] of Object.entries(fixture.expected)) {
    const actualValues = outputs[name];
    if (!actualValues) {
      problems.push(`no output named ${name} (outputs: ${Object.keys(outputs).join(", ")})`);
      continue;
    }
    expectedValues.forEach((expected, index) => {
      if (expected === null) return;
      const actual = actualValues[index] as number;
      if (!Number.isFinite(actual)) {
        problems.push(`${name}[${index}]: published ${expected}, service gave no value`);
        return;
      }
      const comparable = actual * scale + offset;
      const allowed = fixture.tolerance + FLOAT_SLACK * Math.max(1, Math.abs(expected));
      if (Math.abs(comparable - expected) > allowed) {
        problems.push(
          `${name}[${index}]: published ${expected}, service ${comparable} (off by ${Math.abs(comparable - expected)}, tolerance ${fixture.tolerance})`,
        );
      }
    });
  }
  return problems;
}

const fixtures = loadFixtures();

describe("reference fixtures", () => {
  it("cover at least twelve distinct indicators", () => {
    const indicators = new Set(fixtures.map(({ fixture }) => fixture.indicator.toUpperCase()));
    expect(indicators.size).toBeGreaterThanOrEqual(12);
  });

  it.each(fixtures)(
    "$file is well formed: columns and expected series aligned, something compared",
    ({ fixture }) => {
      const length = fixture.input.close.length;
      for (const [name, values] of Object.entries(fixture.input)) {
        expect(values?.length, `input.${name}`).toBe(length);
      }
      for (const [name, values] of [
        ...Object.entries(fixture.expected),
        ...Object.entries(fixture.uncompared ?? {}),
      ]) {
        expect(values.length, `series ${name}`).toBe(length);
      }
      for (const [name, values] of Object.entries(fixture.uncompared ?? {})) {
        values.forEach((value, index) => {
          if (value !== null) expect(fixture.expected[name]?.[index] ?? null, `${name}[${index}]`).toBeNull();
        });
      }
      const compared = Object.values(fixture.expected)
        .flat()
        .filter((value) => value !== null);
      expect(compared.length).toBeGreaterThan(0);
    },
  );
});

describe.each(fixtures)("reference values: $file", ({ fixture }) => {
  it(`${fixture.indicator} ${JSON.stringify(fixture.params)} matches ${fixture.source.title}`, () => {
    const definition = findIndicator(fixture.indicator);
    expect(definition, `${fixture.indicator} is not in the catalog`).toBeDefined();
    if (!definition) return;
    for (const column of definition.reads) {
      expect(
        fixture.input[column],
        `${definition.name} reads ${column}, missing from the fixture`,
      ).toBeDefined();
    }
    for (const name of Object.keys(fixture.expected)) {
      expect(
        definition.outputs.map((output) => output.name),
        `fixture output ${name}`,
      ).toContain(name);
    }
    const params = definition.params.parse(fixture.params) as object;
    const series = runIndicator(definition, params, toColumns(fixture.input));
    expect(mismatches(fixture, series.outputs)).toEqual([]);
  });
});
