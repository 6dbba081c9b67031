/** A random id for a publication or a page's peer: 22 url-safe characters (≈131 bits). */
export function newMediaId(random?: () => number): string {
  const bytes = new Uint8Array(16);
  if (random) for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  else crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
