/**
 * Estimates server time from ping round trips (NTP style): the sample with the shortest
 * round trip is the most accurate, so keep the best of the recent ones.
 */
export class ClockOffset {
  private samples: Array<{ offset: number; roundTrip: number }> = [];

  addSample(clientSent: number, serverTime: number, clientReceived: number): void {
    const roundTrip = Math.max(0, clientReceived - clientSent);
    this.samples.push({ offset: serverTime - (clientSent + roundTrip / 2), roundTrip });
    if (this.samples.length > 8) this.samples.shift();
  }

  /** Milliseconds to add to Date.now() to get the server's time. */
  get offsetMs(): number {
    if (this.samples.length === 0) return 0;
    return this.samples.reduce((best, s) => (s.roundTrip < best.roundTrip ? s : best)).offset;
  }

  serverNow(clientNow = Date.now()): number {
    return clientNow + this.offsetMs;
  }
}
