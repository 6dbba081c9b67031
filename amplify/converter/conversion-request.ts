import { z } from 'zod';
import { deckFormatSchema } from '../../src/protocol/decks.js';

/**
 * What the deck processor sends the converter function, and what it answers. The converter
 * holds no AWS permissions: it reads the upload and writes the PDF through presigned URLs.
 */
export const conversionRequestSchema = z.strictObject({
  format: deckFormatSchema,
  /** Presigned GET of the uploaded file. */
  sourceUrl: z.url(),
  /** Presigned PUT for the PDF (content-type application/pdf). */
  resultUrl: z.url(),
});
export type ConversionRequest = z.infer<typeof conversionRequestSchema>;

export const conversionResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), pdfBytes: z.number(), durationMs: z.number() }),
  z.object({ status: z.literal('failed'), message: z.string(), durationMs: z.number().optional() }),
  z.object({ status: z.literal('unavailable'), message: z.string() }),
]);
export type ConversionResponse = z.infer<typeof conversionResponseSchema>;
