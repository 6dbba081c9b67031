import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DeleteStageCommand,
  ListStagesCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
} from '@aws-sdk/client-ivs-realtime';
import type { IvsClientLike } from '../../../amplify/media/stages';

/**
 * A fake of the IVS real-time API with the behaviour the session function relies on: stages
 * with tags, tokens only for existing stages, a stage quota, and throttling on demand.
 */
export class FakeIvs implements IvsClientLike {
  readonly stages = new Map<string, { tags: Record<string, string>; recording?: unknown }>();
  readonly tokens: CreateParticipantTokenCommand['input'][] = [];
  readonly calls: string[] = [];
  stageQuota = 100;
  throttle = new Set<string>();
  failDelete = false;
  pageSize = 2;
  private nextId = 1;

  async send(command: CreateStageCommand | DeleteStageCommand | CreateParticipantTokenCommand | ListStagesCommand): Promise<unknown> {
    const name = command.constructor.name;
    this.calls.push(name);
    if (this.throttle.has(name)) {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 }, $retryable: { throttling: true } });
    }
    if (command instanceof CreateStageCommand) {
      if (this.stages.size >= this.stageQuota) {
        throw new ServiceQuotaExceededException({ message: 'Stages quota exceeded', $metadata: {}, exceptionMessage: 'quota' } as never);
      }
      const arn = `arn:aws:ivs:eu-west-1:123456789012:stage/stage${this.nextId++}`;
      this.stages.set(arn, { tags: command.input.tags ?? {}, recording: command.input.autoParticipantRecordingConfiguration });
      return { stage: { arn, name: command.input.name, tags: command.input.tags } };
    }
    if (command instanceof DeleteStageCommand) {
      if (this.failDelete) throw new Error('DeleteStage failed');
      if (!this.stages.delete(command.input.arn!)) throw notFound();
      return {};
    }
    if (command instanceof CreateParticipantTokenCommand) {
      if (!this.stages.has(command.input.stageArn!)) throw notFound();
      this.tokens.push(command.input);
      return {
        participantToken: {
          token: `token-${this.tokens.length}`,
          participantId: `participant-${this.tokens.length}`,
          expirationTime: new Date(Date.UTC(2026, 0, 1, 0, command.input.duration ?? 720)),
        },
      };
    }
    if (command instanceof ListStagesCommand) {
      const all = [...this.stages.entries()];
      const start = command.input.nextToken ? Number(command.input.nextToken) : 0;
      const page = all.slice(start, start + this.pageSize).map(([arn, stage]) => ({ arn, tags: stage.tags }));
      return { stages: page, ...(start + this.pageSize < all.length ? { nextToken: String(start + this.pageSize) } : {}) };
    }
    throw new Error(`FakeIvs does not know ${name}`);
  }
}

function notFound() {
  return new ResourceNotFoundException({ message: 'Stage not found', $metadata: {}, exceptionMessage: 'not found' } as never);
}
