/** The child side of function-process.ts: imports one handler and invokes it for each message. */
export {};

type Message = { id: number; kind: 'invoke'; event: unknown } | { id: number; kind: 'cpu' };

const handlerModule = (await import(process.env.STREAMCANVAS_FUNCTION_MODULE!)) as Record<string, (event: unknown) => Promise<unknown>>;
const handler = handlerModule[process.env.STREAMCANVAS_FUNCTION_EXPORT ?? 'handler'];
if (typeof handler !== 'function') throw new Error(`${process.env.STREAMCANVAS_FUNCTION_MODULE} exports no handler.`);

process.on('message', (message: Message) => {
  if (message.kind === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ id: message.id, cpu: { user, system } });
    return;
  }
  handler(message.event).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
// The parent dies with the stack; so does this process.
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
