import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleIn, resourcesOfType, synthesizeBackend, type Synthesized } from './synth-backend.js';

/**
 * Decks in the backend, as Amplify Hosting deploys it once the converter-image workflow has
 * pushed an image: the processor, the converter (no permissions at all), their grants, the
 * Decks table and the bucket's rule for abandoned uploads.
 */
type BackendModule = typeof import('../../amplify/backend.js');
let synth: Synthesized<BackendModule>;

beforeAll(async () => {
  synth = await synthesizeBackend({
    deploymentType: 'branch',
    env: { DECK_CONVERTER_IMAGE_REPOSITORY: 'streamcanvas-deck-converter', DECK_CONVERTER_IMAGE_TAG: 'feedbeef' },
  });
}, 300_000);
afterAll(() => synth?.cleanup());

function environmentOf(fn: Parameters<Synthesized<BackendModule>['locate']>[0]): Record<string, unknown> {
  const { stack, logicalId } = synth.locate(fn);
  return (stack.json.Resources[logicalId]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

describe('decks in the backend', () => {
  it('synthesizes without a cycle between stacks', () => {
    expect(synth.synthError).toBeUndefined();
    for (const stack of synth.stacks) expect(cycleIn(stack)).toBeUndefined();
  });

  it('runs the converter from the pushed image, with a role that may do nothing', () => {
    const converter = synth.module.deckConverter!;
    expect(converter).toBeDefined();
    const { stack, logicalId } = synth.locate(converter.function);
    const fn = stack.json.Resources[logicalId]!;
    expect(fn.Properties).toMatchObject({ PackageType: 'Image', EphemeralStorage: { Size: 2048 } });
    expect(synth.render((fn.Properties as { Code: { ImageUri: unknown } }).Code.ImageUri, stack)).toContain('streamcanvas-deck-converter:feedbeef');
    const role = stack.json.Resources[synth.locate(converter.role).logicalId]!;
    expect(role.Properties?.Policies).toBeUndefined();
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const roleRef = JSON.stringify({ Ref: synth.locate(converter.role).logicalId });
    expect(resourcesOfType(stack, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(roleRef))).toEqual([]);
  });

  it('wires the session function to the processor and the processor to the converter, the table and the bucket', () => {
    const { backend } = synth.module;
    const sessionEnv = environmentOf(backend.sessionApi.resources.cfnResources.cfnFunction);
    expect(sessionEnv.DECK_PROCESSOR_FUNCTION_NAME).toBeDefined();
    expect(sessionEnv.DECKS_TABLE).toBeDefined();
    const processorEnv = environmentOf(backend.deckProcessor.resources.cfnResources.cfnFunction);
    expect(Object.keys(processorEnv)).toEqual(expect.arrayContaining(['DECKS_TABLE', 'FILES_BUCKET_NAME', 'DECK_CONVERTER_FUNCTION_NAME']));
    expect(environmentOf(backend.realtime.resources.cfnResources.cfnFunction).DECKS_TABLE).toBeDefined();

    const { stack } = synth.locate(backend.deckProcessor.resources.cfnResources.cfnFunction);
    const policies = JSON.stringify(resourcesOfType(stack, 'AWS::IAM::Policy'));
    expect(policies).toContain('lambda:InvokeFunction');
  });

  it('expires abandoned uploads after a day, and creates the Decks table with its generic keys', () => {
    const bucket = synth.locate(synth.module.backend.storage.resources.cfnResources.cfnBucket);
    const props = bucket.stack.json.Resources[bucket.logicalId]!.Properties as { LifecycleConfiguration: { Rules: Array<Record<string, unknown>> } };
    expect(props.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' })]));
    const table = synth.locate(synth.module.tables.tableFor({ logicalName: 'Decks' } as never));
    expect(table.stack.json.Resources[table.logicalId]!.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});
