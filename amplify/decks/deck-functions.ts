import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { conversionResponseSchema, type ConversionRequest, type ConversionResponse } from '../converter/conversion-request.js';
import { conversionFailed } from '../converter/convert-document.js';

/** How the session function starts the processor, and how the processor calls the converter: Lambda Invoke. */

export const processDeckEventSchema = z.strictObject({ hostId: z.string().min(1), deckId: z.uuid() });
export type ProcessDeckEvent = z.infer<typeof processDeckEventSchema>;

let sharedClient: LambdaClient | undefined;
const lambda = () => (sharedClient ??= new LambdaClient({}));

/** Starts the deck processor and returns at once (an asynchronous "Event" invoke): the host polls the deck. */
export function lambdaDeckProcessor(functionName: string) {
  return async (event: ProcessDeckEvent): Promise<void> => {
    await lambda().send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
  };
}

/** Converts through the converter function (a synchronous invoke); answers, never rejects. */
export function lambdaDeckConverter(functionName: string, client = new LambdaClient({ maxAttempts: 1 })) {
  return async (request: ConversionRequest): Promise<ConversionResponse> => {
    try {
      const response = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) }));
      const payload = response.Payload ? new TextDecoder().decode(response.Payload) : '';
      if (response.FunctionError) return { status: 'failed', message: conversionFailed(`the converter failed (${response.FunctionError})`) };
      const parsed = conversionResponseSchema.safeParse(JSON.parse(payload));
      return parsed.success ? parsed.data : { status: 'failed', message: conversionFailed('the converter answered with something unexpected') };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      return { status: 'failed', message: conversionFailed(`the converter could not be reached (${name}); try again in a moment`) };
    }
  };
}
