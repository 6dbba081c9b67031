/**
 * The timer's alarm: three short beeps synthesised with WebAudio, so no audio file is
 * fetched. Browsers only allow sound after the person has clicked or typed on the page,
 * so without that it stays silent (the visual alarm still shows).
 */
let context: AudioContext | undefined;

export function canPlaySound(): boolean {
  if (typeof window === 'undefined' || typeof window.AudioContext !== 'function') return false;
  // Chromium and Firefox tell us; elsewhere try, and the context stays suspended if not allowed.
  return navigator.userActivation?.hasBeenActive ?? true;
}

export function playAlarm({ beeps = 3, frequency = 880 } = {}): void {
  if (!canPlaySound()) return;
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
    const start = context.currentTime + 0.02;
    for (let i = 0; i < beeps; i++) {
      const at = start + i * 0.32;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      // A quick attack and release avoid clicks at the edges of each beep.
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.25, at + 0.015);
      gain.gain.setValueAtTime(0.25, at + 0.18);
      gain.gain.linearRampToValueAtTime(0, at + 0.22);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.24);
    }
  } catch {
    // No audio output (or blocked): the flashing face is the alarm.
  }
}
