import type { MediaOutputs } from '../src/config/schema.js';

/** The browser's configuration: the shape `amplify_outputs.json` has in AWS, plus the local Cognito endpoint and code delivery. */
export interface LocalOutputsInput {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  userPoolEndpoint: string;
  httpApiUrl: string;
  webSocketUrl: string;
  media: MediaOutputs;
  /** The Event API endpoint Amplify's events client is configured with; none without an Event API. */
  eventApiUrl?: string;
}

export function localOutputs(input: LocalOutputsInput) {
  return {
    version: '1.4',
    auth: {
      aws_region: input.region,
      user_pool_id: input.userPoolId,
      user_pool_client_id: input.userPoolClientId,
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      unauthenticated_identities_enabled: false,
      mfa_configuration: 'OPTIONAL',
      mfa_methods: ['TOTP'],
      password_policy: {
        min_length: 8,
        require_lowercase: true,
        require_numbers: true,
        require_symbols: true,
        require_uppercase: true,
      },
    },
    custom: {
      region: input.region,
      httpApiUrl: input.httpApiUrl,
      webSocketUrl: input.webSocketUrl,
      userPoolEndpoint: input.userPoolEndpoint,
      // No e-mail is sent locally: the confirmation codes are printed in the terminal.
      codeDelivery: 'terminal' as const,
      media: input.media,
      // Amplify Gen 2's place for an Event API (parseAmplifyConfig turns it into API.Events).
      ...(input.eventApiUrl ? { events: { url: input.eventApiUrl, aws_region: input.region, default_authorization_type: 'AWS_LAMBDA' } } : {}),
    },
  };
}
