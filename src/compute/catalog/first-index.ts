/**
 * Where an implementation's first value is, written once as an arithmetic expression over the
 * indicator's params ("slowPeriod + signalPeriod - 2"): evaluated for a request's params by the
 * contract tests, which compare it with computed results, and shown as written in the catalog.
 * The grammar is deliberately tiny: integers, param names, + - * /, parentheses and
 * max, min, floor, round, sqrt.
 */
export interface FirstIndex {
  readonly expression: string;
  at(params: object): number;
}

type Evaluate = (params: Readonly<Record<string, number>>) => number;

const FUNCTIONS: Readonly<Record<string, (...args: number[]) => number>> = {
  max: Math.max,
  min: Math.min,
  floor: Math.floor,
  round: Math.round,
  sqrt: Math.sqrt,
};

/** Parses `expression`, refusing names that are not among `paramNames` (a typo fails at boot). */
export function firstIndex(expression: string, paramNames: readonly string[]): FirstIndex {
  const tokens = expression.match(/\d+|[A-Za-z]\w*|[-+*/(),]|\S/g) ?? [];
  let position = 0;
  const fail = (why: string): never => {
    throw new Error(`First-index expression "${expression}": ${why}`);
  };
  const peek = () => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected))
      fail(`expected ${expected ?? "more"} at token ${position}`);
    return token as string;
  };

  const sum = (): Evaluate => {
    let left = product();
    while (peek() === "+" || peek() === "-") {
      const operator = take();
      const a = left;
      const b = product();
      left = operator === "+" ? (p) => a(p) + b(p) : (p) => a(p) - b(p);
    }
    return left;
  };
  const product = (): Evaluate => {
    let left = unary();
    while (peek() === "*" || peek() === "/") {
      const operator = take();
      const a = left;
      const b = unary();
      left = operator === "*" ? (p) => a(p) * b(p) : (p) => a(p) / b(p);
    }
    return left;
  };
  const unary = (): Evaluate => {
    if (peek() === "-") {
      take();
      const operand = unary();
      return (p) => -operand(p);
    }
    return atom();
  };
  const atom = (): Evaluate => {
    const token = take();
    if (/^\d+$/.test(token)) {
      const value = Number(token);
      return () => value;
    }
    if (token === "(") {
      const inner = sum();
      take(")");
      return inner;
    }
    if (/^[A-Za-z]/.test(token)) {
      if (peek() === "(") {
        const apply = Object.hasOwn(FUNCTIONS, token)
          ? (FUNCTIONS[token] as (...args: number[]) => number)
          : fail(`unknown function ${token}`);
        take("(");
        const args = [sum()];
        while (peek() === ",") {
          take();
          args.push(sum());
        }
        take(")");
        return (p) => apply(...args.map((arg) => arg(p)));
      }
      if (!paramNames.includes(token)) fail(`${token} is not a param (${paramNames.join(", ") || "none"})`);
      return (p) => p[token] as number;
    }
    return fail(`unexpected ${token}`);
  };

  const evaluate = sum();
  if (position < tokens.length) fail(`unexpected ${tokens[position]}`);
  return {
    expression,
    at: (params) => {
      const value = evaluate(params as Record<string, number>);
      if (!Number.isInteger(value)) fail(`gives ${value} for ${JSON.stringify(params)}`);
      return value;
    },
  };
}
