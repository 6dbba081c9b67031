import type { BoardElement } from '../../src/protocol/board.js';

/**
 * Excalidraw elements as the host's editor sends them (Excalidraw 0.18's fields), for tests
 * and benchmarks that play the host without a browser.
 */
export function rectangle(id: string, overrides: Partial<BoardElement> = {}): BoardElement {
  return {
    id,
    type: 'rectangle',
    x: 100,
    y: 100,
    width: 200,
    height: 120,
    angle: 0,
    strokeColor: '#1e1e1e',
    backgroundColor: 'transparent',
    fillStyle: 'solid',
    strokeWidth: 2,
    strokeStyle: 'solid',
    roughness: 1,
    opacity: 100,
    groupIds: [],
    frameId: null,
    index: 'a0',
    roundness: { type: 3 },
    seed: 1234,
    version: 1,
    versionNonce: 42,
    isDeleted: false,
    boundElements: null,
    updated: 1_700_000_000_000,
    link: null,
    locked: false,
    ...overrides,
  };
}

/** A freehand stroke of `points` points (a wavy line), as it is while being drawn. */
export function freedraw(id: string, points: number, overrides: Partial<BoardElement> = {}): BoardElement {
  const path = Array.from({ length: points }, (_, i) => [i * 1.7, Math.sin(i / 5) * 20] as [number, number]);
  return {
    ...rectangle(id),
    type: 'freedraw',
    roundness: null,
    width: points * 1.7,
    height: 40,
    points: path,
    pressures: [],
    simulatePressure: true,
    lastCommittedPoint: null,
    ...overrides,
  };
}

/** `count` rectangles in a grid, with increasing fractional indices (valid keys: a fractional part never ends in 0). */
export function board(count: number, prefix = 'el'): BoardElement[] {
  return Array.from({ length: count }, (_, i) =>
    rectangle(`${prefix}${i}`, { x: (i % 50) * 40, y: Math.floor(i / 50) * 40, width: 30, height: 30, index: `a${String(i).padStart(5, '0')}V` }),
  );
}
