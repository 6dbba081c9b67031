import { describe, expect, it } from 'vitest';
import {
  MAX_UPDATE_EXPRESSION_LENGTH,
  canvasAttribute,
  compileHeadUpdate,
  compileWholeTileUpdate,
  tileAttribute,
  type CompileResult,
} from '../../../amplify/data/canvas-head-update';
import { applyPatches, type CanvasSnapshot, type Frame, type Patch, type Tile } from '../../../src/protocol/realtime';

type Compiled = Extract<CompileResult, { ok: true }>;

const NOW = 1_700_000_000_000;
const frame: Frame = { x: 10, y: 20, w: 300, h: 200, z: 1 };
const add = (tileId: string, state: Record<string, string | number> = { text: 'hi' }): Patch => ({
  type: 'tile.add',
  tileId,
  kind: 'code',
  frame,
  state,
});

function compile(patches: Patch[]): Compiled {
  const result = compileHeadUpdate(patches, NOW);
  if (!result.ok) throw new Error(`compile failed: ${result.message}`);
  assertPlaceholdersConsistent(result);
  assertNoOverlappingPaths(result);
  return result;
}

// ---------------------------------------------------------------- a small model of the UpdateItem

interface ParsedUpdate {
  sets: Array<{ path: string[]; value: unknown }>;
  removes: string[][];
  add: { path: string[]; value: unknown };
}

const placeholderPattern = /[#:][A-Za-z0-9_]+/g;

/** Every placeholder used is defined, and every defined one is used (DynamoDB rejects both). */
function assertPlaceholdersConsistent(c: Compiled) {
  const used = new Set([...c.updateExpression.matchAll(placeholderPattern), ...c.conditionExpression.matchAll(placeholderPattern)].map((m) => m[0]));
  const usedNames = [...used].filter((p) => p.startsWith('#')).sort();
  const usedValues = [...used].filter((p) => p.startsWith(':')).sort();
  expect(usedNames, 'names used vs defined').toEqual(Object.keys(c.names).sort());
  expect(usedValues, 'values used vs defined').toEqual(Object.keys(c.values).sort());
  // Each raw attribute name has one placeholder.
  const raw = Object.values(c.names);
  expect(new Set(raw).size, 'one placeholder per name').toBe(raw.length);
}

/** Resolves placeholders into attribute paths, in the grammar compileHeadUpdate writes. */
function parseUpdate(c: Compiled): ParsedUpdate {
  const match = /^SET (.+?)(?: REMOVE (.+?))? ADD (#\w+) (:\w+)$/.exec(c.updateExpression);
  if (!match) throw new Error(`unexpected update expression: ${c.updateExpression}`);
  const path = (text: string) =>
    text.split('.').map((part) => {
      const name = c.names[part];
      if (name === undefined) throw new Error(`undefined name ${part}`);
      return name;
    });
  const value = (placeholder: string) => {
    if (!(placeholder in c.values)) throw new Error(`undefined value ${placeholder}`);
    return c.values[placeholder];
  };
  return {
    sets: match[1]!.split(', ').map((clause) => {
      const [target, v] = clause.split(' = ') as [string, string];
      return { path: path(target), value: value(v) };
    }),
    removes: match[2] ? match[2].split(', ').map(path) : [],
    add: { path: path(match[3]!), value: value(match[4]!) },
  };
}

function assertNoOverlappingPaths(c: Compiled) {
  const { sets, removes, add } = parseUpdate(c);
  const paths = [...sets.map((s) => s.path), ...removes, add.path];
  for (const [i, a] of paths.entries()) {
    for (const [j, b] of paths.entries()) {
      if (i === j) continue;
      const prefix = a.length <= b.length && a.every((part, k) => b[k] === part);
      if (prefix) expect.fail(`paths overlap: ${a.join('.')} and ${b.join('.')} in ${c.updateExpression}`);
    }
  }
}

type Item = Record<string, unknown>;

function conditionHolds(c: Compiled, item: Item): boolean {
  return c.conditionExpression.split(' AND ').every((clause) => {
    const equal = /^(#\w+) = (:\w+)$/.exec(clause);
    if (equal) return item[c.names[equal[1]!]!] === c.values[equal[2]!];
    const m = /^(attribute_exists|attribute_not_exists)\((#\w+)\)$/.exec(clause);
    if (!m) throw new Error(`unexpected condition ${clause}`);
    const exists = c.names[m[2]!]! in item;
    return m[1] === 'attribute_exists' ? exists : !exists;
  });
}

/** Applies the update the way DynamoDB would: every action reads the old item; a missing parent fails. */
function runUpdate(c: Compiled, item: Item): Item {
  const next = structuredClone(item);
  const parentOf = (path: string[]) => {
    let node: Record<string, unknown> = next;
    for (const part of path.slice(0, -1)) {
      const child = node[part];
      if (!child || typeof child !== 'object') throw new Error(`invalid document path ${path.join('.')}`);
      node = child as Record<string, unknown>;
    }
    return node;
  };
  const { sets, removes, add } = parseUpdate(c);
  for (const { path, value } of sets) parentOf(path)[path.at(-1)!] = structuredClone(value);
  for (const path of removes) delete parentOf(path)[path.at(-1)!];
  next[add.path[0]!] = Number(next[add.path[0]!] ?? 0) + Number(add.value);
  return next;
}

function itemOf(snapshot: CanvasSnapshot): Item {
  const item: Item = { sessionId: 's', timestamp: 0, seq: snapshot.seq };
  for (const [id, tile] of Object.entries(snapshot.tiles)) item[tileAttribute(id)] = structuredClone(tile);
  for (const [flag, value] of Object.entries(snapshot.canvas)) item[canvasAttribute(flag)] = value;
  return item;
}

function snapshotOf(item: Item): CanvasSnapshot {
  const tiles: Record<string, Tile> = {};
  const canvas: Record<string, boolean> = {};
  for (const [attribute, value] of Object.entries(item)) {
    if (attribute.startsWith('t_')) tiles[attribute.slice(2)] = value as Tile;
    if (attribute.startsWith('c_')) canvas[attribute.slice(2)] = value as boolean;
  }
  return { seq: Number(item.seq), tiles, canvas };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------- expressions per patch type

describe('compileHeadUpdate: one patch of each type', () => {
  it('tile.add sets the whole tile attribute, with no tile condition', () => {
    const c = compile([add('a')]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0 ADD #seq :one');
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended)');
    expect(c.names).toEqual({ '#seq': 'seq', '#updatedAt': 'updatedAt', '#ended': 'ended', '#n0': 't_a' });
    expect(c.values).toEqual({ ':one': 1, ':now': NOW, ':v0': { kind: 'code', frame, state: { text: 'hi' } } });
    expect(c.requiredTiles).toEqual([]);
  });

  it('tile.remove removes the attribute, with no tile condition', () => {
    const c = compile([{ type: 'tile.remove', tileId: 'a' }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now REMOVE #n0 ADD #seq :one');
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended)');
    expect(c.names['#n0']).toBe('t_a');
    expect(c.requiredTiles).toEqual([]);
  });

  it('a partial tile.frame sets each field and requires the tile', () => {
    const c = compile([{ type: 'tile.frame', tileId: 'a', frame: { x: 5, h: 50 } }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1.#n2 = :v0, #n0.#n1.#n3 = :v1 ADD #seq :one');
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended) AND attribute_exists(#n0)');
    expect(c.names).toMatchObject({ '#n0': 't_a', '#n1': 'frame', '#n2': 'x', '#n3': 'h' });
    expect(c.values).toMatchObject({ ':v0': 5, ':v1': 50 });
    expect(c.requiredTiles).toEqual(['a']);
  });

  it('a complete tile.frame is one path', () => {
    const c = compile([{ type: 'tile.frame', tileId: 'a', frame: { x: 1, y: 2, w: 3, h: 4, z: 5 } }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1 = :v0 ADD #seq :one');
    expect(c.names).toMatchObject({ '#n0': 't_a', '#n1': 'frame' });
    expect(c.values[':v0']).toEqual({ x: 1, y: 2, w: 3, h: 4, z: 5 });
    expect(c.requiredTiles).toEqual(['a']);
  });

  it('tile.state sets and removes keys under state and requires the tile', () => {
    const c = compile([{ type: 'tile.state', tileId: 'a', set: { code: 'x', n: 2 }, unset: ['old'] }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1.#n2 = :v0, #n0.#n1.#n3 = :v1 REMOVE #n0.#n1.#n4 ADD #seq :one');
    expect(c.names).toMatchObject({ '#n0': 't_a', '#n1': 'state', '#n2': 'code', '#n3': 'n', '#n4': 'old' });
    expect(c.values).toMatchObject({ ':v0': 'x', ':v1': 2 });
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended) AND attribute_exists(#n0)');
  });

  it('canvas.set sets each flag attribute without conditions', () => {
    const c = compile([{ type: 'canvas.set', set: { live: true, chatHidden: false } }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0, #n1 = :v1 ADD #seq :one');
    expect(c.names).toMatchObject({ '#n0': 'c_live', '#n1': 'c_chatHidden' });
    expect(c.values).toMatchObject({ ':v0': true, ':v1': false });
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended)');
  });

  it('canvas.set skips undefined flags', () => {
    const c = compile([{ type: 'canvas.set', set: { live: undefined, chatHidden: true } }]);
    expect(Object.values(c.names)).not.toContain('c_live');
  });

  it.each<[string, Patch]>([
    ['an empty tile.state', { type: 'tile.state', tileId: 'a' }],
    ['a tile.state with empty set and unset', { type: 'tile.state', tileId: 'a', set: {}, unset: [] }],
    ['an empty tile.frame', { type: 'tile.frame', tileId: 'a', frame: {} }],
    ['an empty canvas.set', { type: 'canvas.set', set: {} }],
  ])('%s only bumps seq and updatedAt', (_name, patch) => {
    const c = compile([patch]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now ADD #seq :one');
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended)');
    expect(c.requiredTiles).toEqual([]);
  });

  it('always bumps seq by one and stamps updatedAt', () => {
    const c = compile([add('a')]);
    expect(c.updateExpression).toMatch(/^SET #updatedAt = :now\b/);
    expect(c.updateExpression).toMatch(/ ADD #seq :one$/);
    expect(c.values).toMatchObject({ ':one': 1, ':now': NOW });
  });
});

// ---------------------------------------------------------------- folding

describe('compileHeadUpdate: folding a batch per attribute', () => {
  it('add then partial frame edits the added value', () => {
    const c = compile([add('a'), { type: 'tile.frame', tileId: 'a', frame: { x: 99 } }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0 ADD #seq :one');
    expect(c.values[':v0']).toEqual({ kind: 'code', frame: { ...frame, x: 99 }, state: { text: 'hi' } });
    expect(c.requiredTiles).toEqual([]);
  });

  it('add then whole frame replaces the added frame', () => {
    const whole = { x: 1, y: 2, w: 3, h: 4, z: 5 };
    const c = compile([add('a'), { type: 'tile.frame', tileId: 'a', frame: whole }]);
    expect((c.values[':v0'] as Tile).frame).toEqual(whole);
  });

  it('add then state edits the added value', () => {
    const c = compile([add('a', { text: 'hi', lang: 'py' }), { type: 'tile.state', tileId: 'a', set: { text: 'bye' }, unset: ['lang'] }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0 ADD #seq :one');
    expect((c.values[':v0'] as Tile).state).toEqual({ text: 'bye' });
  });

  it('does not mutate the patches while folding', () => {
    const patches: Patch[] = [add('a', { text: 'hi' }), { type: 'tile.frame', tileId: 'a', frame: { x: 99 } }, { type: 'tile.state', tileId: 'a', unset: ['text'] }];
    const copy = structuredClone(patches);
    compile(deepFreeze(patches));
    expect(patches).toEqual(copy);
  });

  it('frame/state after add, then remove, removes', () => {
    const c = compile([add('a'), { type: 'tile.frame', tileId: 'a', frame: { x: 1 } }, { type: 'tile.remove', tileId: 'a' }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now REMOVE #n0 ADD #seq :one');
    expect(c.requiredTiles).toEqual([]);
  });

  it('field edits then add: the add wins and no condition is needed', () => {
    const c = compile([{ type: 'tile.frame', tileId: 'a', frame: { x: 1 } }, { type: 'tile.state', tileId: 'a', set: { k: 1 } }, add('a')]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0 ADD #seq :one');
    expect(c.conditionExpression).toBe('attribute_not_exists(#ended)');
  });

  it('remove then add sets the new tile', () => {
    const c = compile([{ type: 'tile.remove', tileId: 'a' }, add('a', { v: 2 })]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0 ADD #seq :one');
    expect((c.values[':v0'] as Tile).state).toEqual({ v: 2 });
  });

  it.each<Patch>([
    { type: 'tile.frame', tileId: 'a', frame: { x: 1 } },
    { type: 'tile.frame', tileId: 'a', frame: { x: 1, y: 2, w: 3, h: 4, z: 5 } },
    { type: 'tile.state', tileId: 'a', set: { k: 1 } },
    { type: 'tile.state', tileId: 'a', unset: ['k'] },
  ])('remove then $type → unknown_tile', (patch) => {
    const result = compileHeadUpdate([{ type: 'tile.remove', tileId: 'a' }, patch], NOW);
    expect(result).toEqual({ ok: false, reason: 'unknown_tile', message: 'Tile a was removed earlier in this message.' });
  });

  it('field frames then a whole frame: the whole frame replaces them', () => {
    const whole = { x: 1, y: 2, w: 3, h: 4, z: 5 };
    const c = compile([
      { type: 'tile.frame', tileId: 'a', frame: { x: 9, y: 9 } },
      { type: 'tile.frame', tileId: 'a', frame: whole },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1 = :v0 ADD #seq :one');
    expect(c.values[':v0']).toEqual(whole);
  });

  it('a whole frame then field frames: the fields edit the whole frame', () => {
    const c = compile([
      { type: 'tile.frame', tileId: 'a', frame: { x: 1, y: 2, w: 3, h: 4, z: 5 } },
      { type: 'tile.frame', tileId: 'a', frame: { x: 7 } },
      { type: 'tile.frame', tileId: 'a', frame: { h: 8 } },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1 = :v0 ADD #seq :one');
    expect(c.values[':v0']).toEqual({ x: 7, y: 2, w: 3, h: 8, z: 5 });
  });

  it('the same frame field twice: last wins, one path', () => {
    const c = compile([
      { type: 'tile.frame', tileId: 'a', frame: { x: 1 } },
      { type: 'tile.frame', tileId: 'a', frame: { x: 2, y: 3 } },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1.#n2 = :v0, #n0.#n1.#n3 = :v1 ADD #seq :one');
    expect(c.values).toMatchObject({ ':v0': 2, ':v1': 3 });
  });

  it('the same state key set twice: last wins, one path', () => {
    const c = compile([
      { type: 'tile.state', tileId: 'a', set: { code: 'one' } },
      { type: 'tile.state', tileId: 'a', set: { code: 'two' } },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1.#n2 = :v0 ADD #seq :one');
    expect(c.values[':v0']).toBe('two');
  });

  it('set then unset of one key removes it', () => {
    const c = compile([
      { type: 'tile.state', tileId: 'a', set: { code: 'one' } },
      { type: 'tile.state', tileId: 'a', unset: ['code'] },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now REMOVE #n0.#n1.#n2 ADD #seq :one');
    expect(c.values).toEqual({ ':one': 1, ':now': NOW });
  });

  it('unset then set of one key sets it', () => {
    const c = compile([
      { type: 'tile.state', tileId: 'a', unset: ['code'] },
      { type: 'tile.state', tileId: 'a', set: { code: 'back' } },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1.#n2 = :v0 ADD #seq :one');
  });

  it('set and unset of one key in one patch: unset wins, as in applyPatch', () => {
    const c = compile([{ type: 'tile.state', tileId: 'a', set: { code: 'x' }, unset: ['code'] }]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now REMOVE #n0.#n1.#n2 ADD #seq :one');
  });

  it('the same canvas flag twice: last wins', () => {
    const c = compile([
      { type: 'canvas.set', set: { live: true } },
      { type: 'canvas.set', set: { live: false } },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0 = :v0 ADD #seq :one');
    expect(c.values).toEqual({ ':one': 1, ':now': NOW, ':v0': false });
  });

  it('reuses one name placeholder across tiles', () => {
    const c = compile([
      { type: 'tile.frame', tileId: 'a', frame: { x: 1 } },
      { type: 'tile.frame', tileId: 'b', frame: { x: 2 } },
    ]);
    expect(c.updateExpression).toBe('SET #updatedAt = :now, #n0.#n1.#n2 = :v0, #n3.#n1.#n2 = :v1 ADD #seq :one');
    expect(c.names).toMatchObject({ '#n0': 't_a', '#n1': 'frame', '#n2': 'x', '#n3': 't_b' });
    expect(Object.keys(c.names)).toHaveLength(3 + 4);
  });
});

describe('compileHeadUpdate: conditions', () => {
  it('requires each tile edited below its attribute, once', () => {
    const c = compile([
      { type: 'tile.frame', tileId: 'a', frame: { x: 1 } },
      { type: 'tile.state', tileId: 'b', set: { k: 1 } },
      { type: 'tile.state', tileId: 'a', set: { k: 2 } },
      add('c'),
      { type: 'tile.frame', tileId: 'c', frame: { y: 1 } },
      { type: 'tile.remove', tileId: 'd' },
    ]);
    expect(c.requiredTiles).toEqual(['a', 'b']);
    const required = [...c.conditionExpression.matchAll(/attribute_exists\((#\w+)\)/g)].map((m) => c.names[m[1]!]);
    expect(required).toEqual(['t_a', 't_b']);
  });

  it('always starts with attribute_not_exists(#ended)', () => {
    for (const patches of [[add('a')], [{ type: 'tile.frame', tileId: 'a', frame: { x: 1 } }], [{ type: 'canvas.set', set: {} }]] as Patch[][]) {
      const c = compile(patches);
      expect(c.conditionExpression.split(' AND ')[0]).toBe('attribute_not_exists(#ended)');
      expect(c.names['#ended']).toBe('ended');
    }
  });
});

describe('compileHeadUpdate: expression limit', () => {
  it('refuses a batch whose expression exceeds 4 KB with too_large', () => {
    const patches: Patch[] = Array.from({ length: 50 }, (_, i) => ({
      type: 'tile.state',
      tileId: `tile-${i}`,
      set: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`key${k}`, k])),
    }));
    const result = compileHeadUpdate(patches, NOW);
    expect(result).toEqual({
      ok: false,
      reason: 'too_large',
      message: 'This message changes too many things at once. Send fewer patches per message.',
    });
  });

  it('accepts 50 tile.add patches: values do not count towards the limit', () => {
    const big = 'x'.repeat(1000);
    const c = compile(Array.from({ length: 50 }, (_, i) => add(`tile-${i}`, { text: big })));
    expect(c.updateExpression.length).toBeLessThanOrEqual(MAX_UPDATE_EXPRESSION_LENGTH);
  });

  it('accepts 50 two-field moves (a multi-tile drag)', () => {
    const c = compile(Array.from({ length: 50 }, (_, i) => ({ type: 'tile.frame', tileId: `tile-${i}`, frame: { x: i, y: i } }) as Patch));
    expect(c.updateExpression.length).toBeLessThanOrEqual(MAX_UPDATE_EXPRESSION_LENGTH);
  });

  it('documents the edge: 50 four-field frame patches on 50 tiles are too large', () => {
    // Valid for the schema (≤ 50 patches, < 32 KB), refused by the 4 KB expression limit.
    const patches = Array.from({ length: 50 }, (_, i) => ({ type: 'tile.frame', tileId: `tile-${i}`, frame: { x: 1, y: 2, w: 3, h: 4 } }) as Patch);
    expect(compileHeadUpdate(patches, NOW)).toMatchObject({ ok: false, reason: 'too_large' });
  });
});

// ---------------------------------------------------------------- generated batches

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TILE_IDS = ['a', 'b', 'c', 'd-1', 'e_2'];
const STATE_KEYS = ['code', 'lang', 'page', 'running', 'k1'];
const FIELDS = ['x', 'y', 'w', 'h', 'z'] as const;

function generate(random: () => number) {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const some = <T>(items: readonly T[]) => items.filter(() => random() < 0.4);
  const value = () => pick<unknown>([1, 'two', true, null, [1, 2], { nested: { deep: 'x' } }, Math.round(random() * 100)]);
  const fullFrame = (): Frame => ({ x: Math.round(random() * 500), y: 3, w: 40, h: 30, z: Math.floor(random() * 9) });

  const tiles: Record<string, Tile> = {};
  for (const id of some(TILE_IDS)) {
    tiles[id] = { kind: 'code', frame: fullFrame(), state: Object.fromEntries(some(STATE_KEYS).map((k) => [k, value()])) as Tile['state'] };
  }
  const snapshot: CanvasSnapshot = { seq: Math.floor(random() * 100), tiles, canvas: random() < 0.5 ? { live: true } : {} };

  const patches: Patch[] = [];
  const length = 1 + Math.floor(random() * 12);
  for (let i = 0; i < length; i++) {
    const tileId = pick(TILE_IDS);
    const r = random();
    if (r < 0.15) patches.push({ type: 'tile.add', tileId, kind: 'slides', frame: fullFrame(), state: Object.fromEntries(some(STATE_KEYS).map((k) => [k, value()])) as Tile['state'] });
    else if (r < 0.25) patches.push({ type: 'tile.remove', tileId });
    else if (r < 0.5) {
      const whole = random() < 0.3;
      const f = fullFrame();
      patches.push({ type: 'tile.frame', tileId, frame: whole ? f : Object.fromEntries(some(FIELDS).map((k) => [k, f[k]])) });
    } else if (r < 0.85) {
      const set = some(STATE_KEYS);
      const unset = some(STATE_KEYS);
      patches.push({
        type: 'tile.state',
        tileId,
        ...(set.length || random() < 0.5 ? { set: Object.fromEntries(set.map((k) => [k, value()])) as Tile['state'] } : {}),
        ...(unset.length ? { unset } : {}),
      });
    } else {
      patches.push({ type: 'canvas.set', set: { ...(random() < 0.5 ? { live: random() < 0.5 } : {}), ...(random() < 0.5 ? { chatHidden: random() < 0.5 } : {}) } });
    }
  }
  return { snapshot, patches };
}

/** Whether the batch edits a tile below its attribute after removing it in the same batch. */
function editsAfterRemove(patches: Patch[]): string | undefined {
  const removed = new Set<string>();
  for (const patch of patches) {
    if (patch.type === 'tile.remove') removed.add(patch.tileId);
    else if (patch.type === 'tile.add') removed.delete(patch.tileId);
    else if (patch.type === 'tile.frame' && Object.values(patch.frame).some((v) => v !== undefined) && removed.has(patch.tileId)) return patch.tileId;
    else if (patch.type === 'tile.state' && (Object.keys(patch.set ?? {}).length || patch.unset?.length) && removed.has(patch.tileId)) return patch.tileId;
  }
  return undefined;
}

describe('compileHeadUpdate: generated batches', () => {
  const RUNS = 3000;

  it(`keeps placeholders exact, paths disjoint and matches applyPatches (${RUNS} batches)`, () => {
    const random = rng(20240611);
    const counts = { applied: 0, conditionFailed: 0, unknownTile: 0 };
    for (let run = 0; run < RUNS; run++) {
      const { snapshot, patches } = generate(random);
      // Frozen: any mutation of the patches while folding throws.
      const result = compileHeadUpdate(deepFreeze(patches), NOW);

      if (!result.ok) {
        expect(result.reason).toBe('unknown_tile');
        expect(editsAfterRemove(patches)).toBeDefined();
        counts.unknownTile++;
        continue;
      }
      expect(editsAfterRemove(patches)).toBeUndefined();
      assertPlaceholdersConsistent(result);
      assertNoOverlappingPaths(result);

      const item = itemOf(snapshot);
      if (!conditionHolds(result, item)) {
        // Only a nested edit of a tile that does not exist fails the condition.
        expect(result.requiredTiles.some((id) => !snapshot.tiles[id])).toBe(true);
        counts.conditionFailed++;
        continue;
      }
      expect(result.requiredTiles.every((id) => snapshot.tiles[id])).toBe(true);
      const stored = runUpdate(result, item);
      expect(stored.updatedAt).toBe(NOW);
      expect(snapshotOf(stored)).toEqual(applyPatches(snapshot, patches, snapshot.seq + 1));
      counts.applied++;
    }
    // The generator must exercise every outcome.
    expect(counts.applied).toBeGreaterThan(RUNS / 4);
    expect(counts.conditionFailed).toBeGreaterThan(50);
    expect(counts.unknownTile).toBeGreaterThan(50);
  });

  it('the checkers catch unused, undefined and overlapping placeholders', () => {
    const good = compile([{ type: 'tile.frame', tileId: 'a', frame: { x: 1 } }]);
    expect(() => assertPlaceholdersConsistent({ ...good, names: { ...good.names, '#extra': 'extra' } })).toThrow(/names used vs defined/);
    expect(() => assertPlaceholdersConsistent({ ...good, values: { ...good.values, ':extra': 1 } })).toThrow(/values used vs defined/);
    const { ':v0': _dropped, ...missing } = good.values;
    expect(() => assertPlaceholdersConsistent({ ...good, values: missing })).toThrow(/values used vs defined/);
    const overlapping = { ...good, updateExpression: good.updateExpression.replace(' ADD', ' REMOVE #n0.#n1 ADD') };
    expect(() => assertNoOverlappingPaths(overlapping)).toThrow(/paths overlap/);
  });

  it('an ended session fails the condition', () => {
    const c = compile([add('a')]);
    expect(conditionHolds(c, { ended: NOW })).toBe(false);
    expect(conditionHolds(c, {})).toBe(true);
  });
});

describe('compileWholeTileUpdate: batches over the 4 KB expression limit (issue 10)', () => {
  const existing = (count: number): CanvasSnapshot => ({
    seq: 7,
    tiles: Object.fromEntries(Array.from({ length: count }, (_, i) => [`tile-${i}`, { kind: 'code', frame, state: { keep: i } } satisfies Tile])),
    canvas: {},
  });
  const whole = (patches: Patch[], snapshot: CanvasSnapshot) => {
    const result = compileWholeTileUpdate(patches, NOW, { seq: snapshot.seq, tiles: snapshot.tiles });
    if (!result.ok) throw new Error(`compile failed: ${result.message}`);
    assertPlaceholdersConsistent(result);
    assertNoOverlappingPaths(result);
    return result;
  };

  it.each([
    ['48 four-field frame patches on 48 tiles', 48, Array.from({ length: 48 }, (_, i) => ({ type: 'tile.frame', tileId: `tile-${i}`, frame: { x: 1, y: 2, w: 3, h: 4 } }) as Patch)],
    ['one tile.state with 186 keys', 1, [{ type: 'tile.state', tileId: 'tile-0', set: Object.fromEntries(Array.from({ length: 186 }, (_, k) => [`key${k}`, k])) } as Patch]],
    ['50 tile.state patches of 10 keys', 50, Array.from({ length: 50 }, (_, i) => ({ type: 'tile.state', tileId: `tile-${i}`, set: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`key${k}`, k])), unset: ['keep'] }) as Patch)],
  ])('%s: too large field by field, one conditional update written whole', (_name, tiles, patches) => {
    expect(compileHeadUpdate(patches, NOW)).toMatchObject({ ok: false, reason: 'too_large' });
    const snapshot = existing(tiles);
    const c = whole(patches, snapshot);
    expect(c.updateExpression.length).toBeLessThanOrEqual(MAX_UPDATE_EXPRESSION_LENGTH);
    expect(conditionHolds(c, itemOf(snapshot))).toBe(true);
    expect(snapshotOf(runUpdate(c, itemOf(snapshot)))).toEqual(applyPatches(snapshot, patches, 8));
    // Any write in between moves the seq, and the condition then fails.
    expect(conditionHolds(c, { ...itemOf(snapshot), seq: 8 })).toBe(false);
  });

  it('needs the head to have no seq yet when it was read without one', () => {
    const c = whole([add('a')], { seq: undefined as unknown as number, tiles: {}, canvas: {} });
    expect(conditionHolds(c, {})).toBe(true);
    expect(conditionHolds(c, { seq: 1 })).toBe(false);
  });

  it('refuses an edit of a tile the head does not have', () => {
    expect(compileWholeTileUpdate([{ type: 'tile.frame', tileId: 'ghost', frame: { x: 1 } }], NOW, { seq: 1, tiles: {} })).toMatchObject({
      ok: false,
      reason: 'unknown_tile',
    });
  });

  it('matches applyPatches on generated batches, and refuses exactly what the field-by-field update refuses', () => {
    const random = rng(20261125);
    let applied = 0;
    for (let run = 0; run < 2000; run++) {
      const { snapshot, patches } = generate(random);
      const narrow = compileHeadUpdate(patches, NOW);
      const refusedNarrow = !narrow.ok || !conditionHolds(narrow, itemOf(snapshot));
      const result = compileWholeTileUpdate(deepFreeze(patches), NOW, { seq: snapshot.seq, tiles: snapshot.tiles });
      expect(result.ok, JSON.stringify(patches)).toBe(!refusedNarrow);
      if (!result.ok) {
        expect(result.reason).toBe('unknown_tile');
        continue;
      }
      assertPlaceholdersConsistent(result);
      assertNoOverlappingPaths(result);
      expect(conditionHolds(result, itemOf(snapshot))).toBe(true);
      expect(snapshotOf(runUpdate(result, itemOf(snapshot)))).toEqual(applyPatches(snapshot, patches, snapshot.seq + 1));
      applied++;
    }
    expect(applied).toBeGreaterThan(400);
  });
});
