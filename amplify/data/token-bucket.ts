import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** At most `max` uses in a burst, refilling at `max` per `windowSeconds` (a token bucket). */
export interface BucketLimit {
  max: number;
  windowSeconds: number;
}

export interface BucketTarget {
  tableName: string;
  key: Record<string, string | number>;
  /** The attribute holding the bucket's state: the "theoretical arrival time" in epoch ms. */
  attribute: string;
  /** Count only if the item already has this attribute (e.g. a connection that still exists). */
  requireAttribute?: string;
  /** Also set this TTL attribute, so an item created for the bucket expires. */
  expiresAt?: { attribute: string; epochSeconds: number };
}

/**
 * A token bucket in one DynamoDB attribute, as GCRA: the attribute holds the time `tat` at which
 * the bucket will be full again. A use is allowed when `tat <= now + (max - 1) * interval`, and then
 * `tat = max(tat, now) + interval`. Unlike fixed windows, a burst straddling a boundary cannot
 * double the limit: any span of t ms allows at most `max + t / interval` uses.
 *
 * DynamoDB expressions have no max(), so the two cases are two conditional writes with disjoint
 * conditions: "idle" (`tat < now`, or no bucket yet: restart at now) and "busy"
 * (`now <= tat <= now + tolerance`: add one interval). Each is atomic on its own, and only one
 * can succeed. `tat` only grows, so a value this process saw is a lower bound of the stored one:
 * remembering it lets a refused or busy request go straight to the right write, so a flood costs
 * one (failed) conditional write per message, and a first or idle use one write.
 */
export function tokenBucketLimiter(client: DynamoDBDocumentClient) {
  const lowerBounds = new Map<string, number>();

  async function write(target: BucketTarget, condition: string, update: string, values: Record<string, number>): Promise<boolean> {
    const names: Record<string, string> = { '#tat': target.attribute };
    const conditions = [condition];
    const sets = [update];
    if (target.requireAttribute) {
      names['#required'] = target.requireAttribute;
      conditions.push('attribute_exists(#required)');
    }
    if (target.expiresAt) {
      names['#expiresAt'] = target.expiresAt.attribute;
      values = { ...values, ':expiresAt': target.expiresAt.epochSeconds };
      sets.push('#expiresAt = :expiresAt');
    }
    try {
      await client.send(
        new UpdateCommand({
          TableName: target.tableName,
          Key: target.key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.map((c) => `(${c})`).join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return async function consume(target: BucketTarget, limit: BucketLimit, nowMs: number): Promise<boolean> {
    // Whole milliseconds keep the sums exact: a burst is exactly `max`, the refill a hair under max per window.
    const interval = Math.ceil((limit.windowSeconds * 1000) / limit.max);
    const latest = nowMs + (limit.max - 1) * interval;
    const id = `${target.tableName}|${JSON.stringify(target.key)}|${target.attribute}`;
    const known = lowerBounds.get(id);
    const idle = () =>
      write(target, 'attribute_not_exists(#tat) OR #tat < :now', '#tat = :next', { ':now': nowMs, ':next': nowMs + interval });
    const busy = () =>
      write(target, '#tat BETWEEN :now AND :latest', '#tat = #tat + :interval', { ':now': nowMs, ':latest': latest, ':interval': interval });

    let allowed: boolean;
    if (known !== undefined && known >= nowMs) {
      allowed = await busy();
    } else {
      allowed = (await idle()) || (await busy());
    }
    // After either write tat >= now + interval; after a refusal tat > latest (or the item is gone).
    remember(id, Math.max(known ?? 0, allowed ? nowMs + interval : latest));
    return allowed;
  };

  function remember(id: string, tat: number) {
    // Only a hint: dropping it costs one extra write later, so a crude bound on memory is enough.
    if (lowerBounds.size >= 10_000) lowerBounds.clear();
    lowerBounds.set(id, tat);
  }
}

export type TokenBucketLimiter = ReturnType<typeof tokenBucketLimiter>;
