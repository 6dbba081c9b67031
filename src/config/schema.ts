import { z } from 'zod';
import { mediaProviderKinds } from '../protocol/media';

/**
 * The browser's runtime configuration: Amplify Gen 2's `amplify_outputs.json`, plus our
 * `custom` block (`backend.addOutput({ custom })` in AWS; the local stack writes the same shape).
 * Only the fields the app reads are checked; everything else passes through to Amplify.
 */
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const wsUrl = z.url({ protocol: /^wss?$/, message: 'must be a ws(s) URL' });
/** An Event API endpoint: https:// in AWS; the local stand-in's ws:// (see local/event-api.ts). */
const eventApiUrl = z.url({ protocol: /^(https|wss?)$/, message: 'must be an https (or local ws) URL' });
const nonEmpty = z.string({ message: 'must be a string' }).min(1, { message: 'must not be empty' });

export const passwordPolicySchema = z.looseObject({
  min_length: z.number().int().positive().optional(),
  require_lowercase: z.boolean().optional(),
  require_uppercase: z.boolean().optional(),
  require_numbers: z.boolean().optional(),
  require_symbols: z.boolean().optional(),
});

/**
 * ICE servers the browsers use, public to anyone who loads the app: an entry with a
 * username or credential (a TURN secret) is refused here, so it can never ship to viewers.
 */
const iceServerSchema = z.strictObject(
  {
    urls: z.union([z.string().regex(/^(stun|stuns|turn|turns):/, { message: 'must be a stun:/turn: URL' }), z.array(z.string().regex(/^(stun|stuns|turn|turns):/)).min(1)]),
  },
  { message: 'must be { urls } only: credentials never go into the public config' },
);

export const mediaOutputsSchema = z.strictObject({
  /** Providers this deployment offers: 'mesh' anywhere, 'sfu' with the local stack (or a self-hosted SFU), 'ivs' on AWS. */
  providers: z.array(z.enum(mediaProviderKinds)).min(1),
  /** What a new publication uses; must be one of `providers`. */
  defaultProvider: z.enum(mediaProviderKinds),
  iceServers: z.array(iceServerSchema).max(8),
});
export type MediaOutputs = z.infer<typeof mediaOutputsSchema>;

/** Without a `media` block: peer-to-peer only, and no ICE servers (host candidates: same network only). */
export const DEFAULT_MEDIA_CONFIG: MediaOutputs = { providers: ['mesh'], defaultProvider: 'mesh', iceServers: [] };

export const amplifyOutputsSchema = z.looseObject({
  version: z
    .string({ message: "must be the outputs version, e.g. '1.4'" })
    .regex(/^1(\.\d+)*$/, { message: "must be '1' or '1.x' (Amplify Gen 2 outputs)" }),
  auth: z.looseObject(
    {
      aws_region: nonEmpty,
      user_pool_id: nonEmpty,
      user_pool_client_id: nonEmpty,
      password_policy: passwordPolicySchema.optional(),
    },
    { message: 'is missing (no auth resource in the outputs)' },
  ),
  custom: z.looseObject(
    {
      httpApiUrl: httpUrl,
      webSocketUrl: wsUrl,
      region: nonEmpty,
      userPoolEndpoint: httpUrl.optional(),
      /** Where sign-up and reset codes go: e-mail (Cognito), or the terminal of the local stack. */
      codeDelivery: z.enum(['email', 'terminal'], { message: "must be 'email' or 'terminal'" }).optional(),
      media: mediaOutputsSchema
        .refine((media) => media.providers.includes(media.defaultProvider), { message: 'defaultProvider must be one of providers', path: ['defaultProvider'] })
        .optional(),
      /** The AppSync Events API that broadcasts to a session (Amplify Gen 2's `custom.events`); absent: the WebSocket API does. */
      events: z
        .looseObject({ url: eventApiUrl, aws_region: nonEmpty, default_authorization_type: nonEmpty })
        .optional(),
    },
    { message: 'is missing (the backend adds httpApiUrl, webSocketUrl and region here)' },
  ),
});
export type AmplifyOutputsJson = z.infer<typeof amplifyOutputsSchema>;

export interface PasswordPolicy {
  minLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

export interface AppConfig {
  /** Base URL of the HTTP API (no trailing slash). */
  httpApiUrl: string;
  /** WebSocket API URL, including the stage. */
  webSocketUrl: string;
  region: string;
  /** Only on the local stack: where cognito-local listens. */
  userPoolEndpoint?: string;
  /** 'terminal' on the local stack, which prints codes instead of sending e-mail. */
  codeDelivery: 'email' | 'terminal';
  /** The Event API a session's broadcasts arrive on, when the backend has one. */
  events?: { url: string; region: string };
  passwordPolicy: PasswordPolicy;
  /** Webcam, screen and microphone: which providers, and the ICE servers (`custom.media`). */
  media: MediaOutputs;
  /** The validated outputs, as Amplify.configure expects them. */
  outputs: AmplifyOutputsJson;
}

/** Cognito's defaults, which Amplify Gen 2's defineAuth keeps unless told otherwise. */
const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly resolution = 'Run `npm start` or deploy the backend.',
  ) {
    super(message);
  }
}

/** Validates parsed JSON and derives the app's config; throws ConfigError naming each bad field. */
export function parseAppConfig(json: unknown): AppConfig {
  const result = amplifyOutputsSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 6)
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'the file'} ${issue.message}`)
      .join('; ');
    throw new ConfigError(`amplify_outputs.json is not valid: ${problems}.`);
  }
  const outputs = result.data;
  const policy = outputs.auth.password_policy;
  return {
    httpApiUrl: outputs.custom.httpApiUrl.replace(/\/+$/, ''),
    webSocketUrl: outputs.custom.webSocketUrl,
    region: outputs.custom.region,
    ...(outputs.custom.userPoolEndpoint ? { userPoolEndpoint: outputs.custom.userPoolEndpoint } : {}),
    codeDelivery: outputs.custom.codeDelivery ?? 'email',
    media: outputs.custom.media ?? DEFAULT_MEDIA_CONFIG,
    ...(outputs.custom.events ? { events: { url: outputs.custom.events.url, region: outputs.custom.events.aws_region } } : {}),
    passwordPolicy: policy
      ? {
          minLength: policy.min_length ?? DEFAULT_PASSWORD_POLICY.minLength,
          requireLowercase: policy.require_lowercase ?? false,
          requireUppercase: policy.require_uppercase ?? false,
          requireNumbers: policy.require_numbers ?? false,
          requireSymbols: policy.require_symbols ?? false,
        }
      : DEFAULT_PASSWORD_POLICY,
    outputs,
  };
}

/** The password rules as short phrases, for sign-up and reset forms. */
export function passwordRules(policy: PasswordPolicy): string[] {
  const rules = [`at least ${policy.minLength} characters`];
  if (policy.requireUppercase) rules.push('an uppercase letter');
  if (policy.requireLowercase) rules.push('a lowercase letter');
  if (policy.requireNumbers) rules.push('a number');
  if (policy.requireSymbols) rules.push('a symbol (e.g. ! ? # $ %)');
  return rules;
}

/** One sentence: "Use at least 8 characters, with an uppercase letter, a lowercase letter, a number and a symbol." */
export function describePasswordPolicy(policy: PasswordPolicy): string {
  const [length, ...kinds] = passwordRules(policy);
  if (kinds.length === 0) return `Use ${length}.`;
  const last = kinds.pop()!;
  const list = kinds.length ? `${kinds.join(', ')} and ${last}` : last;
  return `Use ${length}, with ${list}.`;
}
