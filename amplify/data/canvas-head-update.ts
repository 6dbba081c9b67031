import type { Patch, Tile } from '../../src/protocol/realtime.js';

/**
 * Compiles a batch of patches into ONE DynamoDB UpdateItem on the session's head item, so
 * a publish costs one write whatever it changes. Each tile is a top-level attribute
 * `t_<tileId>` ({ kind, frame, state }); canvas flags are `c_<flag>`. DynamoDB rejects
 * overlapping paths in one expression, so patches are first folded per attribute.
 */
export const tileAttribute = (tileId: string) => `t_${tileId}`;
export const canvasAttribute = (flag: string) => `c_${flag}`;

const FRAME_FIELDS = ['x', 'y', 'w', 'h', 'z'] as const;
/** DynamoDB's limit on an update expression's length. */
export const MAX_UPDATE_EXPRESSION_LENGTH = 4096;

interface AttributeChange {
  /** The whole attribute is replaced (value) or removed (undefined) in this batch. */
  whole?: { value: unknown } | { removed: true };
  /** Changes below the attribute, keyed by their joined path. */
  nested: Map<string, { path: string[]; value?: unknown; removed?: true }>;
}

/** The head as a whole-tile update needs it: the seq it was read at and the tiles the batch edits. */
export interface HeadTiles {
  seq: number | undefined;
  tiles: Record<string, Tile>;
}

export type CompileResult =
  | {
      ok: true;
      updateExpression: string;
      conditionExpression: string;
      names: Record<string, string>;
      values: Record<string, unknown>;
      /** Tiles that must already exist for the batch to apply. */
      requiredTiles: string[];
    }
  | { ok: false; reason: 'unknown_tile' | 'too_large'; message: string };

export function compileHeadUpdate(patches: readonly Patch[], now: number): CompileResult {
  const changes = foldPatches(patches);
  return changes instanceof Map ? updateFor(changes, now) : changes;
}

/**
 * The same batch for when its field-by-field expression would pass DynamoDB's 4 KB limit:
 * every tile it touches is written whole, computed from `head` (read just before), and the
 * write is conditional on the head's seq being unchanged. Still one UpdateItem and one seq,
 * so the batch commits wholly or not at all; one `SET` per touched attribute always fits.
 */
export function compileWholeTileUpdate(patches: readonly Patch[], now: number, head: HeadTiles): CompileResult {
  const changes = foldPatches(patches);
  if (!(changes instanceof Map)) return changes;
  for (const [attribute, entry] of changes) {
    if (entry.whole || entry.nested.size === 0) continue;
    const tileId = attribute.slice(2);
    const current = head.tiles[tileId];
    if (!current) return { ok: false, reason: 'unknown_tile', message: `Tile ${tileId} does not exist; add it first.` };
    const tile: Record<'frame' | 'state', Record<string, unknown>> & { kind: string } = {
      kind: current.kind,
      frame: { ...current.frame },
      state: { ...current.state },
    };
    for (const { path, value, removed } of entry.nested.values()) {
      const [section, key] = path as ['frame' | 'state', string | undefined];
      if (key === undefined) tile[section] = { ...(value as Record<string, unknown>) };
      else if (removed) delete tile[section][key];
      else tile[section][key] = value;
    }
    entry.whole = { value: tile };
    entry.nested.clear();
  }
  return updateFor(changes, now, { seq: head.seq });
}

/** Folds a batch per attribute; DynamoDB refuses overlapping paths in one expression. */
function foldPatches(patches: readonly Patch[]): Map<string, AttributeChange> | Extract<CompileResult, { ok: false }> {
  const changes = new Map<string, AttributeChange>();
  const change = (attribute: string) => {
    let entry = changes.get(attribute);
    if (!entry) changes.set(attribute, (entry = { nested: new Map() }));
    return entry;
  };

  for (const patch of patches) {
    switch (patch.type) {
      case 'tile.add': {
        const entry = change(tileAttribute(patch.tileId));
        entry.whole = { value: { kind: patch.kind, frame: patch.frame, state: patch.state } };
        entry.nested.clear();
        break;
      }
      case 'tile.remove': {
        const entry = change(tileAttribute(patch.tileId));
        entry.whole = { removed: true };
        entry.nested.clear();
        break;
      }
      case 'tile.frame': {
        const fields = FRAME_FIELDS.filter((field) => patch.frame[field] !== undefined);
        // A complete frame is one path; partial frames set field by field.
        if (fields.length === FRAME_FIELDS.length) {
          const failure = setNested(change(tileAttribute(patch.tileId)), ['frame'], { ...patch.frame }, patch.tileId);
          if (failure) return failure;
        } else {
          for (const field of fields) {
            const failure = setNested(change(tileAttribute(patch.tileId)), ['frame', field], patch.frame[field], patch.tileId);
            if (failure) return failure;
          }
        }
        break;
      }
      case 'tile.state': {
        const entry = change(tileAttribute(patch.tileId));
        for (const [key, value] of Object.entries(patch.set ?? {})) {
          const failure = setNested(entry, ['state', key], value, patch.tileId);
          if (failure) return failure;
        }
        for (const key of patch.unset ?? []) {
          const failure = setNested(entry, ['state', key], undefined, patch.tileId, true);
          if (failure) return failure;
        }
        break;
      }
      case 'canvas.set':
        for (const [flag, value] of Object.entries(patch.set)) {
          if (value !== undefined) change(canvasAttribute(flag)).whole = { value };
        }
        break;
    }
  }
  return changes;
}

/** Writes folded changes as one UpdateItem; with `unchanged`, only if the head is still at that seq. */
function updateFor(changes: Map<string, AttributeChange>, now: number, unchanged?: { seq: number | undefined }): CompileResult {
  const names: Record<string, string> = { '#seq': 'seq', '#updatedAt': 'updatedAt', '#ended': 'ended' };
  const values: Record<string, unknown> = { ':one': 1, ':now': now };
  const nameOf = new Map<string, string>();
  const name = (raw: string) => {
    let placeholder = nameOf.get(raw);
    if (!placeholder) {
      placeholder = `#n${nameOf.size}`;
      nameOf.set(raw, placeholder);
      names[placeholder] = raw;
    }
    return placeholder;
  };
  let valueCount = 0;
  const value = (v: unknown) => {
    const placeholder = `:v${valueCount++}`;
    values[placeholder] = v;
    return placeholder;
  };

  const sets = ['#updatedAt = :now'];
  const removes: string[] = [];
  const conditions = ['attribute_not_exists(#ended)'];
  if (unchanged) {
    conditions.push(unchanged.seq === undefined ? 'attribute_not_exists(#seq)' : '#seq = :seq');
    if (unchanged.seq !== undefined) values[':seq'] = unchanged.seq;
  }
  const requiredTiles: string[] = [];
  for (const [attribute, entry] of changes) {
    if (entry.whole) {
      if ('removed' in entry.whole) removes.push(name(attribute));
      else sets.push(`${name(attribute)} = ${value(entry.whole.value)}`);
      continue;
    }
    if (entry.nested.size === 0) continue;
    conditions.push(`attribute_exists(${name(attribute)})`);
    requiredTiles.push(attribute.slice(2));
    for (const { path, value: v, removed } of entry.nested.values()) {
      const target = [attribute, ...path].map(name).join('.');
      if (removed) removes.push(target);
      else sets.push(`${target} = ${value(v)}`);
    }
  }

  const updateExpression = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''} ADD #seq :one`;
  if (updateExpression.length > MAX_UPDATE_EXPRESSION_LENGTH) {
    return { ok: false, reason: 'too_large', message: TOO_LARGE_MESSAGE };
  }
  return { ok: true, updateExpression, conditionExpression: conditions.join(' AND '), names, values, requiredTiles };
}

export const TOO_LARGE_MESSAGE = 'This message changes too many things at once. Send fewer patches per message.';

/** Records a change below a tile: inside a tile added in this batch it edits the value itself. */
function setNested(
  entry: AttributeChange,
  path: string[],
  value: unknown,
  tileId: string,
  removed = false,
): Extract<CompileResult, { ok: false }> | undefined {
  if (entry.whole && 'removed' in entry.whole) {
    return { ok: false, reason: 'unknown_tile', message: `Tile ${tileId} was removed earlier in this message.` };
  }
  if (entry.whole) {
    const tile = entry.whole.value as Record<string, Record<string, unknown>>;
    const [section, key] = path as [string, string | undefined];
    if (key === undefined) tile[section] = value as Record<string, unknown>;
    else {
      tile[section] = { ...tile[section] };
      if (removed) delete tile[section]![key];
      else tile[section]![key] = value;
    }
    return undefined;
  }
  // A whole frame supersedes earlier field changes; a later field edits an earlier whole frame.
  if (path[0] === 'frame' && path.length === 1) {
    for (const key of [...entry.nested.keys()]) if (key.startsWith('frame.')) entry.nested.delete(key);
  } else if (path[0] === 'frame') {
    const whole = entry.nested.get('frame');
    if (whole) {
      whole.value = { ...(whole.value as object), [path[1]!]: value };
      return undefined;
    }
  }
  entry.nested.set(path.join('.'), removed ? { path, removed: true } : { path, value });
  return undefined;
}
