import { rectangle } from '../../support/board-elements';
import { describe, expect, it } from 'vitest';
import {
  CHAT_MAX_LENGTH,
  CHAT_NAME_MAX_LENGTH,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_JSON_DEPTH,
  MAX_PATCHES_PER_MESSAGE,
  applyPatch,
  applyPatches,
  emptySnapshot,
  parseClientMessage,
  reactionEmojis,
  webSocketActions,
  type CanvasSnapshot,
  type ClientMessage,
  type Patch,
} from '../../../src/protocol/realtime';

const frame = { x: 10, y: 20, w: 300, h: 200, z: 1 };
const addPatch = (tileId = 'a', state: Record<string, unknown> = { text: 'hi' }): Patch =>
  ({ type: 'tile.add', tileId, kind: 'code', frame, state }) as Patch;
const publish = (patches: unknown[], clientSeq = 1) => ({ v: 1, action: 'publishState', clientSeq, patches });

function parse(message: unknown) {
  return parseClientMessage(typeof message === 'string' ? message : JSON.stringify(message));
}
function rejected(message: unknown) {
  const result = parse(message);
  if (result.ok) throw new Error(`expected a rejection for ${JSON.stringify(message).slice(0, 200)}`);
  return result;
}

describe('parseClientMessage: valid messages', () => {
  const valid: Array<[string, ClientMessage]> = [
    ['publishState', { v: 1, action: 'publishState', clientSeq: 0, patches: [addPatch()] }],
    ['sync', { v: 1, action: 'sync' }],
    ['sync with clientTime', { v: 1, action: 'sync', clientTime: 1_700_000_000_000 }],
    ['ping', { v: 1, action: 'ping', clientTime: 12.5 }],
    ['signal to the host', { v: 1, action: 'signal', to: 'host', data: { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } }],
    ['a candidate to the SFU', { v: 1, action: 'signal', to: 'sfu', data: { media: 'sfu', peer: 'viewer-peer-1', publicationId: 'pub-12345', type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } } }],
    ['chat', { v: 1, action: 'chat', name: 'Ada', text: 'Hello' }],
    ['react', { v: 1, action: 'react', emoji: '🎉' }],
    ['end', { v: 1, action: 'end' }],
    ['runCode', { v: 1, action: 'runCode', tileId: 'code-1', stdin: '42\n' }],
    ['boardUpdate', { v: 1, action: 'boardUpdate', boardId: 'board-0001', clientSeq: 3, elements: [rectangle('r1')] }],
    ['boardLoad', { v: 1, action: 'boardLoad', boardId: 'board-0001' }],
    ['boardView', { v: 1, action: 'boardView', boardId: 'board-0001', viewport: { scrollX: 0, scrollY: -5.5, zoom: 1.25, width: 800, height: 600 }, pointer: null, rev: 2 }],
    ['boardFile', { v: 1, action: 'boardFile', boardId: 'board-0001', file: { fileId: 'abc', mimeType: 'image/png', size: 1024 } }],
  ];

  it.each(valid)('accepts %s', (_name, message) => {
    const result = parse(message);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.message.action).toBe(message.action);
  });

  it('covers every route action', () => {
    expect(new Set(valid.map(([, m]) => m.action))).toEqual(new Set(webSocketActions));
  });

  it.each(reactionEmojis)('accepts the reaction %s', (emoji) => {
    expect(parse({ v: 1, action: 'react', emoji }).ok).toBe(true);
  });

  it('accepts every patch type in one batch', () => {
    const result = parse(
      publish([
        addPatch('a'),
        { type: 'tile.frame', tileId: 'a', frame: { x: 5 } },
        { type: 'tile.frame', tileId: 'a', frame },
        { type: 'tile.state', tileId: 'a', set: { code: 'print(1)', lines: [1, 2] }, unset: ['old'] },
        { type: 'tile.state', tileId: 'a' },
        { type: 'tile.remove', tileId: 'a' },
        { type: 'canvas.set', set: { live: true, chatHidden: false } },
      ]),
    );
    expect(result.ok).toBe(true);
  });

  it('accepts exactly the maximum number of patches', () => {
    const patches = Array.from({ length: MAX_PATCHES_PER_MESSAGE }, (_, i) => ({ type: 'tile.remove', tileId: `t${i}` }));
    expect(parse(publish(patches)).ok).toBe(true);
  });

  it('trims chat text and name', () => {
    const result = parse({ v: 1, action: 'chat', name: '  Ada ', text: '  hi there \n' });
    expect(result).toMatchObject({ ok: true, message: { name: 'Ada', text: 'hi there' } });
  });

  it('accepts chat at exactly the length limits', () => {
    expect(parse({ v: 1, action: 'chat', name: 'n'.repeat(CHAT_NAME_MAX_LENGTH), text: 'x'.repeat(CHAT_MAX_LENGTH) }).ok).toBe(true);
  });

  it('defaults runCode stdin to an empty string', () => {
    expect(parse({ v: 1, action: 'runCode', tileId: 'c1' })).toMatchObject({ ok: true, message: { stdin: '' } });
  });

  it('accepts tile ids of 1 and 40 allowed characters', () => {
    expect(parse(publish([{ type: 'tile.remove', tileId: 'A' }])).ok).toBe(true);
    expect(parse(publish([{ type: 'tile.remove', tileId: 'aZ0_-'.repeat(8) }])).ok).toBe(true);
  });

  it('accepts a message of exactly the byte limit', () => {
    const base = JSON.stringify({ v: 1, action: 'chat', name: 'a', text: 'b' });
    // Pad with spaces (valid JSON whitespace) up to exactly the limit.
    const raw = base.slice(0, -1) + ' '.repeat(MAX_CLIENT_MESSAGE_BYTES - base.length) + '}';
    expect(new TextEncoder().encode(raw).length).toBe(MAX_CLIENT_MESSAGE_BYTES);
    expect(parseClientMessage(raw).ok).toBe(true);
  });
});

describe('parseClientMessage: rejections', () => {
  it.each([undefined, ''])('rejects an empty message (%j)', (raw) => {
    expect(parseClientMessage(raw)).toEqual({ ok: false, code: 'bad_message', message: 'The message is empty.' });
  });

  it('rejects a message over 32 KB with too_large, counting bytes not characters', () => {
    // 11,000 three-byte characters: 33,000 bytes but only 11,000 UTF-16 units.
    const raw = JSON.stringify({ v: 1, action: 'chat', name: 'a', text: '€'.repeat(11_000) });
    expect(raw.length).toBeLessThan(MAX_CLIENT_MESSAGE_BYTES);
    const result = parseClientMessage(raw);
    expect(result).toMatchObject({ ok: false, code: 'too_large' });
    expect(result.ok || result.message).toContain('32 KB');
  });

  it('checks the size before parsing JSON', () => {
    expect(parseClientMessage('x'.repeat(MAX_CLIENT_MESSAGE_BYTES + 1))).toMatchObject({ ok: false, code: 'too_large' });
  });

  it.each(['{', 'not json', '{"action":"sync",}', "{'v':1}"])('rejects non-JSON %j', (raw) => {
    expect(parseClientMessage(raw)).toEqual({ ok: false, code: 'bad_message', message: 'The message is not valid JSON.' });
  });

  it.each(['[]', '[{"v":1,"action":"sync"}]', '"sync"', '42', 'null', 'true'])('rejects the non-object %s', (raw) => {
    expect(parseClientMessage(raw)).toEqual({ ok: false, code: 'bad_message', message: 'The message must be a JSON object.' });
  });

  it('rejects an unknown action, naming it and the expected ones', () => {
    const result = rejected({ v: 1, action: 'dance' });
    expect(result).toMatchObject({ code: 'unknown_action', action: 'dance' });
    expect(result.message).toContain('"dance"');
    for (const action of webSocketActions) expect(result.message).toContain(action);
  });

  it('rejects a missing or non-string action without an action field', () => {
    for (const message of [{ v: 1 }, { v: 1, action: 7 }, { v: 1, action: '' }]) {
      const result = rejected(message);
      expect(result.code).toBe('unknown_action');
      expect(result.action).toBeUndefined();
      expect(result.message).toMatch(/^Unknown action\. Expected one of/);
    }
  });

  it('truncates a long unknown action to 40 characters', () => {
    const result = rejected({ v: 1, action: 'x'.repeat(500) });
    expect(result.action).toBe('x'.repeat(40));
  });

  it('does not treat prototype keys as actions', () => {
    expect(rejected({ v: 1, action: 'toString' }).code).toBe('unknown_action');
    expect(rejected({ v: 1, action: 'constructor' }).code).toBe('unknown_action');
  });

  it.each([
    ['a wrong version', { v: 2, action: 'sync' }],
    ['a missing version', { action: 'sync' }],
    ['a string version', { v: '1', action: 'sync' }],
  ])('rejects %s, naming the field', (_name, message) => {
    const result = rejected(message);
    expect(result).toMatchObject({ code: 'bad_message', action: 'sync' });
    expect(result.message).toMatch(/^Invalid sync message: v: must be 1, the protocol version/);
  });

  it.each([
    ['a missing clientSeq', { v: 1, action: 'publishState', patches: [addPatch()] }, 'clientSeq'],
    ['a negative clientSeq', publish([addPatch()], -1), 'clientSeq'],
    ['a fractional clientSeq', publish([addPatch()], 1.5), 'clientSeq'],
    ['no patches', publish([]), 'patches'],
    ['a patch of an unknown type', publish([{ type: 'tile.spin', tileId: 'a' }]), 'patches.0.type'],
    ['a frame out of bounds', publish([{ type: 'tile.frame', tileId: 'a', frame: { x: 99_999 } }]), 'patches.0.frame.x'],
    ['a zero width', publish([{ type: 'tile.frame', tileId: 'a', frame: { w: 0 } }]), 'patches.0.frame.w'],
    ['a fractional z', publish([{ type: 'tile.frame', tileId: 'a', frame: { z: 1.5 } }]), 'patches.0.frame.z'],
    ['an extra frame field', publish([{ type: 'tile.frame', tileId: 'a', frame: { x: 1, rot: 9 } }]), 'patches.0.frame'],
    ['an incomplete frame on add', publish([{ ...addPatch(), frame: { x: 1, y: 1, w: 1, h: 1 } }]), 'patches.0.frame.z'],
    ['a bad tile kind', publish([{ ...addPatch(), kind: 'Code!' }]), 'patches.0.kind'],
    ['a bad state key', publish([{ type: 'tile.state', tileId: 'a', set: { '1bad': 1 } }]), 'patches.0.set'],
    ['a bad unset key', publish([{ type: 'tile.state', tileId: 'a', unset: ['$x'] }]), 'patches.0.unset.0'],
    ['an unknown canvas flag', publish([{ type: 'canvas.set', set: { theme: 'dark' } }]), 'patches.0.set'],
    ['a non-boolean canvas flag', publish([{ type: 'canvas.set', set: { live: 'yes' } }]), 'patches.0.set.live'],
    ['an extra patch field', publish([{ type: 'tile.remove', tileId: 'a', why: 'x' }]), 'patches.0'],
    ['a non-finite clientTime', { v: 1, action: 'ping', clientTime: '5' }, 'clientTime'],
    ['a ping without clientTime', { v: 1, action: 'ping' }, 'clientTime'],
    ['an empty signal target', { v: 1, action: 'signal', to: '', data: {} }, 'to'],
    ['a non-object signal payload', { v: 1, action: 'signal', to: 'host', data: [1] }, 'data'],
    ['a chat without name', { v: 1, action: 'chat', text: 'hi' }, 'name'],
    ['a long chat name', { v: 1, action: 'chat', name: 'n'.repeat(CHAT_NAME_MAX_LENGTH + 1), text: 'hi' }, 'name'],
    ['stdin over 16 KB', { v: 1, action: 'runCode', tileId: 'c', stdin: 's'.repeat(16 * 1024 + 1) }, 'stdin'],
    ['an extra top-level field', { v: 1, action: 'end', force: true }, 'message'],
  ])('rejects %s, naming %s', (_name, message, field) => {
    const result = rejected(message);
    expect(result.code).toBe('bad_message');
    expect(result.action).toBe((message as { action: string }).action);
    expect(result.message).toMatch(new RegExp(`^Invalid ${result.action} message: .*${field.replace(/\./g, '\\.')}`));
  });

  it('echoes the clientSeq of a rejected publishState', () => {
    const result = rejected(publish([{ type: 'tile.nope' }], 17));
    expect(result).toMatchObject({ code: 'bad_message', action: 'publishState', clientSeq: 17 });
  });

  it('rejects more than the maximum number of patches', () => {
    const patches = Array.from({ length: MAX_PATCHES_PER_MESSAGE + 1 }, (_, i) => ({ type: 'tile.remove', tileId: `t${i}` }));
    const result = rejected(publish(patches, 3));
    expect(result).toMatchObject({ code: 'bad_message', action: 'publishState', clientSeq: 3 });
    expect(result.message).toMatch(/patches: /);
  });

  it('lists at most three issues', () => {
    const result = rejected(publish([{ type: 'tile.frame', tileId: 'a', frame: { x: 'a', y: 'b', w: 'c', h: 'd', z: 'e' } }]));
    expect(result.message.split('; ')).toHaveLength(3);
  });

  it.each([
    ['empty', ''],
    ['41 characters', 'a'.repeat(41)],
    ['a space', 'tile 1'],
    ['a dot', 'tile.1'],
    ['a slash', 'a/b'],
    ['non-ASCII', 'tuile-é'],
  ])('rejects a tile id that is %s', (_name, tileId) => {
    for (const message of [
      publish([{ type: 'tile.remove', tileId }]),
      { v: 1, action: 'runCode', tileId },
    ]) {
      const result = rejected(message);
      expect(result.code).toBe('bad_message');
      expect(result.message).toMatch(/tileId: must be 1–40 letters, digits, - or _/);
    }
  });

  it.each(['🤡', 'x', '', '👏👏', ':clap:'])('rejects the reaction %j', (emoji) => {
    const result = rejected({ v: 1, action: 'react', emoji });
    expect(result.code).toBe('bad_message');
    expect(result.message).toBe('Invalid react message: emoji: is not an allowed reaction.');
  });

  it('rejects chat text that is empty after trimming', () => {
    const result = rejected({ v: 1, action: 'chat', name: 'Ada', text: ' \n\t ' });
    expect(result.message).toBe('Invalid chat message: text: must not be empty.');
  });

  it('rejects chat text that is too long', () => {
    const result = rejected({ v: 1, action: 'chat', name: 'Ada', text: 'x'.repeat(CHAT_MAX_LENGTH + 1) });
    expect(result.message).toBe(`Invalid chat message: text: must be at most ${CHAT_MAX_LENGTH} characters.`);
  });

  it('measures chat length after trimming', () => {
    expect(parse({ v: 1, action: 'chat', name: 'Ada', text: `  ${'x'.repeat(CHAT_MAX_LENGTH)}  ` }).ok).toBe(true);
  });

  it('rejects a chat name that is empty after trimming', () => {
    expect(rejected({ v: 1, action: 'chat', name: '   ', text: 'hi' }).message).toMatch(/^Invalid chat message: name: /);
  });
});

// ---------------------------------------------------------------- applyPatch

const base: CanvasSnapshot = {
  seq: 4,
  tiles: {
    a: { kind: 'code', frame: { x: 0, y: 0, w: 100, h: 100, z: 0 }, state: { code: 'x = 1', lang: 'py' } },
    b: { kind: 'clock', frame: { x: 50, y: 50, w: 10, h: 10, z: 2 }, state: {} },
  },
  canvas: { live: true },
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('applyPatch', () => {
  it('tile.add creates a tile', () => {
    const next = applyPatch(base, addPatch('c', { n: 1 }));
    expect(next.tiles.c).toEqual({ kind: 'code', frame, state: { n: 1 } });
    expect(next.tiles.a).toBe(base.tiles.a);
    expect(next.seq).toBe(4);
  });

  it('tile.add replaces an existing tile entirely', () => {
    const next = applyPatch(base, addPatch('a', { fresh: true }));
    expect(next.tiles.a).toEqual({ kind: 'code', frame, state: { fresh: true } });
  });

  it('tile.frame merges only the given fields', () => {
    const next = applyPatch(base, { type: 'tile.frame', tileId: 'a', frame: { x: 7, z: 3 } });
    expect(next.tiles.a!.frame).toEqual({ x: 7, y: 0, w: 100, h: 100, z: 3 });
    expect(next.tiles.a!.state).toBe(base.tiles.a!.state);
  });

  it('tile.frame ignores fields that are present but undefined', () => {
    const next = applyPatch(base, { type: 'tile.frame', tileId: 'a', frame: { x: 7, y: undefined } });
    expect(next.tiles.a!.frame).toEqual({ x: 7, y: 0, w: 100, h: 100, z: 0 });
  });

  it('tile.state sets and unsets keys shallowly', () => {
    const next = applyPatch(base, { type: 'tile.state', tileId: 'a', set: { code: 'x = 2', run: { n: 1 } }, unset: ['lang'] });
    expect(next.tiles.a!.state).toEqual({ code: 'x = 2', run: { n: 1 } });
    expect(next.tiles.a!.frame).toBe(base.tiles.a!.frame);
  });

  it('tile.state applies set before unset within one patch', () => {
    const next = applyPatch(base, { type: 'tile.state', tileId: 'a', set: { lang: 'js' }, unset: ['lang'] });
    expect(next.tiles.a!.state).toEqual({ code: 'x = 1' });
  });

  it('tile.state replaces a nested value rather than merging it', () => {
    const withNested = applyPatch(base, { type: 'tile.state', tileId: 'a', set: { run: { a: 1, b: 2 } } });
    const next = applyPatch(withNested, { type: 'tile.state', tileId: 'a', set: { run: { a: 3 } } });
    expect(next.tiles.a!.state.run).toEqual({ a: 3 });
  });

  it('tile.remove deletes a tile', () => {
    const next = applyPatch(base, { type: 'tile.remove', tileId: 'a' });
    expect(Object.keys(next.tiles)).toEqual(['b']);
  });

  it('canvas.set merges flags and keeps the tiles object', () => {
    const next = applyPatch(base, { type: 'canvas.set', set: { chatHidden: true } });
    expect(next.canvas).toEqual({ live: true, chatHidden: true });
    expect(next.tiles).toBe(base.tiles);
  });

  it('canvas.set ignores undefined flags', () => {
    const next = applyPatch(base, { type: 'canvas.set', set: { live: undefined, chatHidden: false } });
    expect(next.canvas).toEqual({ live: true, chatHidden: false });
  });

  it.each<Patch>([
    { type: 'tile.frame', tileId: 'ghost', frame: { x: 1 } },
    { type: 'tile.state', tileId: 'ghost', set: { a: 1 } },
    { type: 'tile.state', tileId: 'ghost', unset: ['a'] },
    { type: 'tile.remove', tileId: 'ghost' },
  ])('ignores $type on a missing tile', (patch) => {
    const next = applyPatch(base, patch);
    expect(next).toEqual(base);
    expect(next.tiles).not.toHaveProperty('ghost');
  });

  it('never mutates its inputs', () => {
    const snapshot = deepFreeze(structuredClone(base));
    const patches = deepFreeze<Patch[]>([
      addPatch('c'),
      { type: 'tile.frame', tileId: 'c', frame: { x: 1 } },
      { type: 'tile.state', tileId: 'c', set: { k: 1 }, unset: ['text'] },
      { type: 'tile.frame', tileId: 'a', frame: { y: 9 } },
      { type: 'tile.state', tileId: 'a', unset: ['code'] },
      { type: 'tile.remove', tileId: 'b' },
      { type: 'canvas.set', set: { live: false } },
    ]);
    const copy = structuredClone({ snapshot, patches });
    // Frozen inputs make any mutation throw in strict-mode modules.
    const next = applyPatches(snapshot, patches, 11);
    expect({ snapshot, patches }).toEqual(copy);
    expect(next).toEqual({
      seq: 11,
      tiles: {
        a: { kind: 'code', frame: { x: 0, y: 9, w: 100, h: 100, z: 0 }, state: { lang: 'py' } },
        c: { kind: 'code', frame: { ...frame, x: 1 }, state: { k: 1 } },
      },
      canvas: { live: false },
    });
  });

  it('does not share the added tile state with later patches', () => {
    const added = addPatch('c', { n: 1 });
    const next = applyPatches(emptySnapshot, [added, { type: 'tile.state', tileId: 'c', set: { n: 2 } }], 1);
    expect(next.tiles.c!.state).toEqual({ n: 2 });
    expect((added as Extract<Patch, { type: 'tile.add' }>).state).toEqual({ n: 1 });
  });
});

describe('applyPatches', () => {
  it('applies in order and stamps the given seq', () => {
    const next = applyPatches(emptySnapshot, [addPatch('a'), { type: 'tile.remove', tileId: 'a' }, addPatch('a', { v: 2 })], 9);
    expect(next).toEqual({ seq: 9, tiles: { a: { kind: 'code', frame, state: { v: 2 } } }, canvas: {} });
  });

  it('stamps the seq even for an empty list', () => {
    expect(applyPatches(base, [], 12)).toEqual({ ...base, seq: 12 });
  });

  it('leaves the shared empty snapshot untouched', () => {
    applyPatches(emptySnapshot, [addPatch('z'), { type: 'canvas.set', set: { live: true } }], 1);
    expect(emptySnapshot).toEqual({ seq: 0, tiles: {}, canvas: {} });
  });
});

describe('parseClientMessage: only what can be stored whole (issue 10)', () => {
  const tileK = (set: string) => `{"v":1,"action":"publishState","clientSeq":7,"patches":[{"type":"tile.state","tileId":"k","set":${set}}]}`;
  const refusedWithContext = (raw: string) => {
    const result = parseClientMessage(raw);
    if (result.ok) throw new Error(`expected a rejection for ${raw.slice(0, 200)}`);
    expect(result).toMatchObject({ code: 'bad_message', action: 'publishState', clientSeq: 7 });
    return result;
  };

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the reserved name %s as a tile id, kind, state key and nested key', (name) => {
    const add = (tileId: string, kind: string, state: string) =>
      `{"v":1,"action":"publishState","clientSeq":7,"patches":[{"type":"tile.add","tileId":"${tileId}","kind":"${kind}","frame":{"x":0,"y":0,"w":1,"h":1,"z":0},"state":${state}}]}`;
    expect(refusedWithContext(add(name, 'probe', '{"x":1}')).message).toMatch(/reserved/);
    if (/^[a-z]/.test(name)) expect(refusedWithContext(add('t', name, '{}')).message).toMatch(/reserved/);
    expect(refusedWithContext(add('t', 'probe', `{"${name}":1}`)).message).toMatch(/reserved|state key/);
    expect(refusedWithContext(tileK(`{"${name}":1}`)).message).toMatch(/reserved|state key/);
    expect(refusedWithContext(tileK(`{"a":{"b":[{"${name}":{"polluted":true}}]}}`)).message).toMatch(/reserved/);
    expect(refusedWithContext(`{"v":1,"action":"publishState","clientSeq":7,"patches":[{"type":"tile.state","tileId":"k","unset":["${name}"]}]}`).message).toMatch(
      /reserved|state key/,
    );
    const signal = parseClientMessage(`{"v":1,"action":"signal","to":"host","data":{"x":{"${name}":1}}}`);
    expect(signal).toMatchObject({ ok: false, code: 'bad_message', action: 'signal' });
  });

  it('refuses "__proto__" at the top of a message with its action and clientSeq', () => {
    refusedWithContext('{"v":1,"action":"publishState","clientSeq":7,"__proto__":{"x":1},"patches":[{"type":"tile.remove","tileId":"k"}]}');
  });

  it.each([
    ['2^53', '9007199254740992'],
    ['2^53 + 1', '9007199254740993'],
    ['-2^53', '-9007199254740992'],
    ['a 40-digit integer', '1234567890123456789012345678901234567890'],
    ['9.99e125', '9.99e125'],
    ['1e126', '1e126'],
    ['1e308', '1e308'],
    ['5e-324', '5e-324'],
    ['-1e-131', '-1e-131'],
  ])('refuses %s, which DynamoDB or the SDK cannot store exactly', (_name, number) => {
    expect(refusedWithContext(tileK(`{"n":${number}}`)).message).toMatch(/set\.n/);
    expect(refusedWithContext(tileK(`{"n":[{"deep":${number}}]}`)).message).toMatch(/set\.n\.0\.deep/);
  });

  it('refuses a frame coordinate that would underflow', () => {
    refusedWithContext('{"v":1,"action":"publishState","clientSeq":7,"patches":[{"type":"tile.frame","tileId":"k","frame":{"x":5e-324}}]}');
  });

  it.each(['9007199254740991', '-9007199254740991', '0.1', '-0.5', '1e-130', '1.5e-100', '123456.789012345', '0'])('accepts %s', (number) => {
    expect(parseClientMessage(tileK(`{"n":${number}}`)).ok).toBe(true);
  });

  it(`accepts state nested ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    const nested = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
    expect(parseClientMessage(tileK(`{"a":${nested(MAX_JSON_DEPTH)}}`)).ok).toBe(true);
    expect(refusedWithContext(tileK(`{"a":${nested(MAX_JSON_DEPTH + 1)}}`)).message).toMatch(/nests deeper than/);
  });

  it.each([2_000, 10_000])('refuses arrays nested %i deep with the action and clientSeq, without overflowing', (depth) => {
    const message = refusedWithContext(tileK(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`)).message;
    expect(message).toMatch(/nests deeper than/);
  });

  it('carries the clientSeq on an unknown action too', () => {
    expect(parseClientMessage('{"v":1,"action":"Publish","clientSeq":3}')).toMatchObject({ code: 'unknown_action', action: 'Publish', clientSeq: 3 });
  });
});

describe('applyPatch: maps without prototypes', () => {
  it('keeps even a "__proto__" tile id or state key an ordinary key', () => {
    // The server refuses these names; a client must stay safe should one ever arrive.
    const added = applyPatch(emptySnapshot, JSON.parse(
      '{"type":"tile.add","tileId":"__proto__","kind":"probe","frame":{"x":0,"y":0,"w":1,"h":1,"z":0},"state":{"x":1}}',
    ) as Patch);
    expect(Object.keys(added.tiles)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(added.tiles)).toBeNull();
    const stated = applyPatch(added, JSON.parse('{"type":"tile.state","tileId":"__proto__","set":{"__proto__":{"polluted":true}}}') as Patch);
    const state = Object.getOwnPropertyDescriptor(stated.tiles, '__proto__')!.value.state as Record<string, unknown>;
    expect(Object.keys(state).sort()).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseClientMessage: strings DynamoDB can store as UTF-8', () => {
  it.each(['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"'])('refuses the lone surrogate %s in state, in a key and in chat', (text) => {
    expect(parseClientMessage(`{"v":1,"action":"publishState","clientSeq":1,"patches":[{"type":"tile.state","tileId":"k","set":{"t":[${text}]}}]}`)).toMatchObject({
      ok: false,
      code: 'bad_message',
      clientSeq: 1,
    });
    expect(parseClientMessage(`{"v":1,"action":"signal","to":"host","data":{${text}:1}}`)).toMatchObject({ ok: false, action: 'signal' });
    expect(parseClientMessage(`{"v":1,"action":"chat","name":"A","text":${text}}`)).toMatchObject({ ok: false, action: 'chat' });
  });

  it('accepts surrogate pairs', () => {
    expect(parseClientMessage('{"v":1,"action":"chat","name":"A","text":"\\ud83d\\ude00 ok"}').ok).toBe(true);
    expect(parseClientMessage('{"v":1,"action":"publishState","clientSeq":1,"patches":[{"type":"tile.state","tileId":"k","set":{"t":"😀"}}]}').ok).toBe(true);
  });
});
