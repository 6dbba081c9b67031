import { TOOL_CACHE_DIR } from './languages.js';
import { buildToolCache } from './tool-cache.js';

/**
 * `node build-tool-cache.mjs [dir]`: builds the compiler start-up caches into
 * the Lambda image (see the Dockerfile). Fails the image build when an
 * artifact fails, since every toolchain is installed there.
 */
const target = process.argv[2] ?? TOOL_CACHE_DIR;
const report = await buildToolCache(target);
console.log(JSON.stringify({ target, ...report }, null, 2));
if (Object.values(report).some((outcome) => outcome !== 'built')) process.exit(1);
