import type { ChainableCommander } from 'ioredis';

/**
 * Runs a MULTI and returns its replies, in the order their commands were
 * queued. A MULTI reports a failed command in its replies instead of
 * rejecting, so this throws the first such error.
 */
export async function execMulti(multi: ChainableCommander): Promise<unknown[]> {
  const results = await multi.exec();
  // exec() returns null only when a WATCHed key changed, and no caller watches keys.
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** Returns the position, among execMulti's replies, of the command queued last on `multi`. */
export function lastReplyIndex(multi: ChainableCommander): number {
  // `length` also counts the MULTI command itself.
  return multi.length - 2;
}
