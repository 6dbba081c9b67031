/** Environment variables naming the deck functions; plain data, so backend.ts can import it. */

/** On the session function: the deck processor it starts once an upload is in. */
export const DECK_PROCESSOR_ENV = 'DECK_PROCESSOR_FUNCTION_NAME';
/** On the deck processor: the converter function; unset on deployments without the converter image. */
export const DECK_CONVERTER_ENV = 'DECK_CONVERTER_FUNCTION_NAME';
