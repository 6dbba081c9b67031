import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Construct } from 'constructs';
import { dataRetentionFor } from '../../amplify/data/tables.js';
import { appOrigins } from '../../amplify/realtime/resource.js';
import { resourcesOfType, synthesizeBackend, type Synthesized } from './synth-backend.js';

// amplify/auth/resource.ts reads STREAMCANVAS_REQUIRE_MFA when first imported, so it is imported
// only after the synth below has set it (a static import here would run first).
const loadAuthResource = () => import('../../amplify/auth/resource.js');

/**
 * The backend as a developer sandbox, with the synth-time switches production uses turned on:
 * required MFA and extra app origins. Plus the small parsers behind those switches.
 */
type BackendModule = typeof import('../../amplify/backend.js');
let synth: Synthesized<BackendModule>;

beforeAll(async () => {
  synth = await synthesizeBackend({
    deploymentType: 'sandbox',
    env: {
      STREAMCANVAS_REQUIRE_MFA: 'true',
      STREAMCANVAS_APP_ORIGINS: 'https://streamcanvas.example.com, https://www.streamcanvas.example.com/',
    },
  });
});
afterAll(() => synth?.cleanup());

describe('a sandbox deployment', () => {
  it('destroys its tables with the sandbox, without deletion protection', () => {
    const tables = resourcesOfType(synth.stack('data'), 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(3);
    for (const [, table] of tables) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    }
  });

  it('requires TOTP MFA when STREAMCANVAS_REQUIRE_MFA=true', () => {
    synth.stack('auth').template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('allows the origins listed in STREAMCANVAS_APP_ORIGINS besides the dev server', () => {
    const { stack, logicalId } = synth.locate(synth.module.apis.httpApi);
    const cors = stack.json.Resources[logicalId]?.Properties?.CorsConfiguration as { AllowOrigins: string[] };
    expect(cors.AllowOrigins).toEqual([
      'http://localhost:5173',
      'https://streamcanvas.example.com',
      'https://www.streamcanvas.example.com',
    ]);
  });

  it('destroys the files bucket with the sandbox, and lets the same origins use presigned URLs', () => {
    const [[, bucket] = []] = resourcesOfType(synth.stack('storage'), 'AWS::S3::Bucket');
    expect(bucket?.DeletionPolicy).toBe('Delete');
    const rules = (bucket?.Properties?.CorsConfiguration as { CorsRules: Array<{ AllowedOrigins: string[] }> }).CorsRules;
    expect(rules.map((rule) => rule.AllowedOrigins)).toEqual([
      ['http://localhost:5173', 'https://streamcanvas.example.com', 'https://www.streamcanvas.example.com'],
    ]);
  });

  it('keeps Cognito\'s default e-mail sender when STREAMCANVAS_SES_FROM is unset', () => {
    const pool = resourcesOfType(synth.stack('auth'), 'AWS::Cognito::UserPool')[0]?.[1];
    expect((pool?.Properties?.EmailConfiguration as { EmailSendingAccount?: string } | undefined)?.EmailSendingAccount ?? 'COGNITO_DEFAULT').toBe('COGNITO_DEFAULT');
  });

  it('creates the alarm topic without subscriptions when STREAMCANVAS_ALARM_EMAIL is unset', () => {
    expect(resourcesOfType(synth.stack('monitoring'), 'AWS::SNS::Topic')).toHaveLength(1);
    expect(resourcesOfType(synth.stack('monitoring'), 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('synthesizes without validation findings', () => {
    expect(synth.synthError?.message).toBeUndefined();
    expect(synth.violations).toEqual([]);
  });
});

describe('appOrigins', () => {
  it('allows the Vite dev server on a sandbox only', () => {
    expect(appOrigins({}, { sandbox: true })).toEqual(['http://localhost:5173']);
    expect(appOrigins({}, { sandbox: false })).toEqual([]);
    expect(appOrigins({ STREAMCANVAS_APP_ORIGINS: 'https://app.example.com' }, { sandbox: false })).toEqual(['https://app.example.com']);
  });

  it('adds the Amplify Hosting branch domain when built by Amplify Hosting', () => {
    expect(appOrigins({ AWS_APP_ID: 'd1abc2def3', AWS_BRANCH: 'feature/live-chat' }, { sandbox: false })).toEqual([
      'https://feature-live-chat.d1abc2def3.amplifyapp.com',
    ]);
  });

  it.each(['https://app.example.com/studio', '*', 'ftp://files.example.com', 'app.example.com'])(
    'refuses %s with a resolution',
    (origin) => {
      expect(() => appOrigins({ STREAMCANVAS_APP_ORIGINS: origin }, { sandbox: false })).toThrow(/not an origin\. Resolution:/);
    },
  );
});

describe('parseSesSender', () => {
  it('keeps the default sender when unset', async () => {
    const { parseSesSender } = await loadAuthResource();
    expect(parseSesSender({})).toBeUndefined();
    expect(parseSesSender({ STREAMCANVAS_SES_FROM: ' ' })).toBeUndefined();
  });

  it('reads the sender, its name and the reply-to address', async () => {
    const { parseSesSender } = await loadAuthResource();
    expect(parseSesSender({ STREAMCANVAS_SES_FROM: ' no-reply@example.com ' })).toEqual({ fromEmail: 'no-reply@example.com' });
    expect(parseSesSender({ STREAMCANVAS_SES_FROM: 'a@example.com', STREAMCANVAS_SES_FROM_NAME: 'StreamCanvas', STREAMCANVAS_SES_REPLY_TO: 'b@example.com' })).toEqual({
      fromEmail: 'a@example.com',
      fromName: 'StreamCanvas',
      replyTo: 'b@example.com',
    });
  });

  it.each(['StreamCanvas <a@example.com>', 'example.com', 'a@b', 'a@example.com,b@example.com'])('refuses %s with a resolution', async (from) => {
    const { parseSesSender } = await loadAuthResource();
    expect(() => parseSesSender({ STREAMCANVAS_SES_FROM: from })).toThrow(/not an e-mail address\. Resolution:/);
  });

  it('refuses a name or reply-to without a sender', async () => {
    const { parseSesSender } = await loadAuthResource();
    expect(() => parseSesSender({ STREAMCANVAS_SES_FROM_NAME: 'StreamCanvas' })).toThrow(/without STREAMCANVAS_SES_FROM\. Resolution:/);
  });
});

describe('parseRequireMfa', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
  ])('reads %s as %s', async (value, expected) => {
    const { parseRequireMfa } = await loadAuthResource();
    expect(parseRequireMfa(value)).toBe(expected);
  });

  it('refuses anything else, so a typo cannot leave MFA optional', async () => {
    const { parseRequireMfa } = await loadAuthResource();
    expect(() => parseRequireMfa('yes')).toThrow(/Resolution:/);
  });
});

describe('dataRetentionFor', () => {
  // A bare root construct: an App would create an output directory for nothing.
  const scopeOfType = (type: string | undefined) => {
    const root = new Construct(undefined as unknown as Construct, '');
    if (type !== undefined) root.node.setContext('amplify-backend-type', type);
    return root;
  };

  it.each([
    ['sandbox', 'destroy'],
    ['branch', 'retain'],
    ['standalone', 'retain'],
  ])('keeps the data of a %s deployment: %s', (type, expected) => {
    expect(dataRetentionFor(scopeOfType(type))).toBe(expected);
  });

  it('refuses an unknown deployment type with a resolution', () => {
    expect(() => dataRetentionFor(scopeOfType(undefined))).toThrow(/Resolution:/);
  });
});
