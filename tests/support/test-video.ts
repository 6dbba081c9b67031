import { existsSync, writeFileSync } from 'node:fs';

/**
 * A small .y4m clip for Chromium's file-backed fake camera (`--use-file-for-fake-video-capture`):
 * the top half is solid red, so a sampled pixel proves the right picture arrived; a white bar
 * sweeps the bottom half, so every frame differs and the encoder keeps sending.
 */
export const TEST_VIDEO = { width: 320, height: 180, fps: 15, frames: 32 } as const;

/** Red in limited-range BT.601 (what Chromium assumes for 4:2:0 input). */
const RED = { y: 81, u: 90, v: 240 };
const WHITE = { y: 235, u: 128, v: 128 };

export function writeTestVideo(path: string): string {
  if (existsSync(path)) return path;
  const { width, height, fps, frames } = TEST_VIDEO;
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420\n`);
  const parts: Buffer[] = [header];
  const cw = width / 2;
  const ch = height / 2;
  for (let frame = 0; frame < frames; frame++) {
    const barX = Math.round((frame * width) / frames);
    const colourAt = (x: number, y: number) => (y >= height / 2 && x >= barX && x < barX + 24 ? WHITE : RED);
    const y = Buffer.alloc(width * height);
    for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) y[row * width + col] = colourAt(col, row).y;
    const u = Buffer.alloc(cw * ch);
    const v = Buffer.alloc(cw * ch);
    for (let row = 0; row < ch; row++) {
      for (let col = 0; col < cw; col++) {
        const colour = colourAt(col * 2, row * 2);
        u[row * cw + col] = colour.u;
        v[row * cw + col] = colour.v;
      }
    }
    parts.push(Buffer.from('FRAME\n'), y, u, v);
  }
  writeFileSync(path, Buffer.concat(parts));
  return path;
}
