/**
 * What a JSON value must look like to be stored as it was sent. The head keeps each tile's
 * state in DynamoDB and the browser keeps it in plain objects, so a value that passes
 * these checks is stored whole, read back equal, and cannot reach an object's prototype.
 */

/** Keys that reach JavaScript's prototype machinery (and `constructor` breaks the DynamoDB marshaller). */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const isReservedKey = (key: string): boolean => RESERVED_KEYS.has(key);

/**
 * How deep a state value may nest (`[[1]]` is 2). DynamoDB stores at most 32 levels; the
 * head keeps state values 2 levels down (`t_<tile>.state`) and the log 3 (`patches[i].set`).
 */
export const MAX_JSON_DEPTH = 16;

/** DynamoDB's smallest positive number; anything closer to 0 (but 0) is an "underflow". */
export const MIN_STORABLE_MAGNITUDE = 1e-130;

/**
 * Why DynamoDB and the SDK cannot store this number exactly, or undefined if they can.
 * Integers must be safe (the SDK refuses larger ones, since a double would round them), and
 * fractions must not underflow. Every finite double keeps ≤ 17 significant digits, well
 * within DynamoDB's 38, and every non-integer double is below 2^53, well within 1e126.
 */
export function numberProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'must be a finite number';
  if (Number.isInteger(value)) {
    return Number.isSafeInteger(value) ? undefined : 'must be an integer between -(2^53 - 1) and 2^53 - 1';
  }
  return Math.abs(value) >= MIN_STORABLE_MAGNITUDE ? undefined : `must be 0 or at least ${MIN_STORABLE_MAGNITUDE} in magnitude`;
}

/** A lone UTF-16 surrogate: DynamoDB stores strings as UTF-8, which cannot encode one. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const isWellFormed = (text: string): boolean => !loneSurrogate.test(text);

export interface JsonProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * The first reason a value is not storable JSON: a non-JSON type, a reserved, empty or
 * malformed key, a string with a lone surrogate, a number DynamoDB cannot hold (when `numbers` is set), or nesting deeper than
 * `maxDepth` containers. Walks without recursion, so no input can exhaust the stack.
 */
export function jsonProblem(value: unknown, options: { maxDepth: number; numbers: boolean }): JsonProblem | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number>; depth: number }> = [{ value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { value: item, path, depth } = stack.pop()!;
    if (item === null || typeof item === 'boolean') continue;
    if (typeof item === 'string') {
      if (!isWellFormed(item)) return { path, message: 'must be valid Unicode (no lone surrogates)' };
      continue;
    }
    if (typeof item === 'number') {
      const problem = options.numbers ? numberProblem(item) : undefined;
      if (problem) return { path, message: problem };
      continue;
    }
    const isArray = Array.isArray(item);
    if (!isArray && (typeof item !== 'object' || !isPlainObject(item))) return { path, message: 'must be a JSON value' };
    if (depth + 1 > options.maxDepth) return { path, message: `nests deeper than ${options.maxDepth} levels` };
    if (isArray) {
      item.forEach((element, index) => stack.push({ value: element, path: [...path, index], depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(item as object)) {
      if (isReservedKey(key)) return { path: [...path, key], message: `"${key}" is a reserved name and cannot be a key` };
      if (key === '') return { path, message: 'keys must not be empty' };
      if (!isWellFormed(key)) return { path, message: 'keys must be valid Unicode (no lone surrogates)' };
      stack.push({ value: (item as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** An empty map with no prototype: any string, `__proto__` included, is just a key. */
export function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
