import { Duration, Names } from 'aws-cdk-lib';
import { AppSyncAuthorizationType, EventApi, type ChannelNamespace } from 'aws-cdk-lib/aws-appsync';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LIVE_NAMESPACE } from '../../src/protocol/live-events.js';

/**
 * The AWS AppSync Events API that fans a session's messages out to its audience: the realtime
 * function publishes each message once to `/live/<sessionId>`, and every browser watching that
 * session subscribes to it (docs/protocol.md, "Broadcast through the Event API"; docs/scale.md).
 *
 * Authorization: publishing takes IAM, and only the roles in `publishers` get
 * `appsync:EventPublish`, on the `live` namespace only. Connecting and subscribing take the Lambda
 * authorizer (amplify/functions/events-authorizer), which admits a subscription to the channel of
 * a live session and nothing else; its answers are not cached (a cached one would outlive the
 * session's end and is keyed by token, not channel). Tokens that are not a session id are refused
 * before the authorizer runs.
 *
 * Create it in the functions' own stack, like RealtimeApis: the API references the authorizer,
 * the functions' environment and roles reference the API.
 */
export interface LiveEventsProps {
  authorizer: IFunction;
  /** Who may publish to sessions' channels: the realtime and session functions. */
  publishers: IGrantable[];
}

/** What the Lambda authorizer's token must look like: a session id (UUID). */
export const SESSION_TOKEN_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export class LiveEvents extends Construct {
  readonly api: EventApi;
  readonly namespace: ChannelNamespace;
  /** `https://<http domain>/event`: where functions publish, and what Amplify's events client is configured with. */
  readonly httpUrl: string;

  constructor(scope: Construct, id: string, props: LiveEventsProps) {
    super(scope, id);
    this.api = new EventApi(this, 'EventApi', {
      // At most 50 characters, unique per backend (sandbox or branch): the construct path, shortened with a hash.
      apiName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }),
      authorizationConfig: {
        authProviders: [
          { authorizationType: AppSyncAuthorizationType.IAM },
          {
            authorizationType: AppSyncAuthorizationType.LAMBDA,
            lambdaAuthorizerConfig: { handler: props.authorizer, resultsCacheTtl: Duration.seconds(0), validationRegex: SESSION_TOKEN_PATTERN },
          },
        ],
        connectionAuthModeTypes: [AppSyncAuthorizationType.LAMBDA],
        defaultPublishAuthModeTypes: [AppSyncAuthorizationType.IAM],
        defaultSubscribeAuthModeTypes: [AppSyncAuthorizationType.LAMBDA],
      },
    });
    this.namespace = this.api.addChannelNamespace('Live', {
      channelNamespaceName: LIVE_NAMESPACE,
      authorizationConfig: {
        publishAuthModeTypes: [AppSyncAuthorizationType.IAM],
        subscribeAuthModeTypes: [AppSyncAuthorizationType.LAMBDA],
      },
    });
    for (const publisher of props.publishers) this.namespace.grantPublish(publisher);
    this.httpUrl = `https://${this.api.httpDns}/event`;
  }
}
