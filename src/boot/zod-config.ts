import { z } from 'zod';

// Zod compiles a parser per object schema with new Function() on first use: fast for a
// server parsing thousands of messages, but on a viewer's cold start it was compile work
// on the critical path. The browser parses few messages, so it interprets instead.
z.config({ jitless: true });
