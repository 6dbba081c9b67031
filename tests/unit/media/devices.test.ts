import { describe, expect, it } from 'vitest';
import { describeMediaProblem, isCancelled, unpluggedProblem } from '../../../src/media/devices';
import { MediaError } from '../../../src/media/types';
import { initialsOf, parseMediaTileState } from '../../../src/tiles/media/media-state';

/** What the host reads when a device fails: what happened, and what to do. */
describe('device problems', () => {
  it("a provider's refusal keeps its own resolution (e.g. the IVS stage quota)", () => {
    const problem = describeMediaProblem(new MediaError('unavailable', 'Amazon IVS refused: quota.', 'Raise "Stages" in Service Quotas.'), 'camera');
    expect(problem).toMatchObject({ message: 'Amazon IVS refused: quota.', resolution: 'Raise "Stages" in Service Quotas.' });
  });

  it.each([
    ['NotAllowedError', 'camera', 'Access to the camera was denied', 'allow the camera'],
    ['NotFoundError', 'microphone', 'No microphone found', 'Connect a microphone'],
    ['OverconstrainedError', 'camera', 'No camera found', 'choose another one'],
    ['NotReadableError', 'camera', 'The camera is busy', 'Close the other application'],
    ['NotAllowedError', 'screen', 'Screen sharing was not allowed', 'pick a screen, window or tab'],
  ] as const)('%s for the %s', (name, kind, title, resolution) => {
    const problem = describeMediaProblem(new DOMException('x', name), kind);
    expect(problem.title).toBe(title);
    expect(problem.resolution).toContain(resolution);
  });

  it('an unplugged device and a closed screen picker', () => {
    expect(unpluggedProblem('camera')).toMatchObject({ title: 'The camera stopped', resolution: expect.stringContaining('Reconnect the camera') });
    expect(isCancelled(new DOMException('dismissed', 'AbortError'))).toBe(true);
    expect(isCancelled(new DOMException('denied', 'NotAllowedError'))).toBe(false);
  });
});

describe('media tile state', () => {
  it('keeps valid references and falls back for garbage', () => {
    const ref = { publicationId: 'pub-12345678', source: 'camera', provider: 'sfu' };
    expect(parseMediaTileState({ publication: ref, fit: 'contain', mirror: false, name: 'Ada' }, 'cover')).toEqual({ publication: ref, audio: null, fit: 'contain', mirror: false, name: 'Ada' });
    expect(parseMediaTileState({ publication: { ...ref, provider: 'carrier-pigeon' }, audio: 7, fit: 'stretch', mirror: 'yes', name: 3 }, 'cover')).toEqual({
      publication: null,
      audio: null,
      fit: 'cover',
      mirror: true,
      name: '',
    });
  });

  it('initials from a name or an e-mail address', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('grace.hopper@example.com')).toBe('GH');
    expect(initialsOf('linus@example.com')).toBe('LI');
    expect(initialsOf('')).toBe('');
  });
});
