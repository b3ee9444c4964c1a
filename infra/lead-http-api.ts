import { Lazy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { OperationsConfiguration } from '@leadflow/domain';
import type { HttpTrigger, RouteAuth } from '@leadflow/manifest';

export interface LeadHttpApiProps {
  userPool: cognito.IUserPool;
  userPoolClient: cognito.IUserPoolClient;
  /** The stage configuration's throttles: HTTP APIs apply them to each route on its own. */
  throttle: OperationsConfiguration['apiThrottle'];
  logRetention: logs.RetentionDays;
}

/** Why a route without an API Gateway authorizer is still not open to anyone who asks. */
const unauthorisedRouteReasons: Record<Exclude<RouteAuth['mode'], 'jwt'>, (routeKey: string) => string> = {
  public: (routeKey) => `The manifest marks "${routeKey}" public: anonymous callers (web visitors, uptime monitors) have no token to present. The handler validates its input and the stage throttles every route.`,
  'signed-webhook': (routeKey) => `The manifest marks "${routeKey}" as a signed webhook: the handler verifies the sender's signature over the raw body, which an API Gateway authorizer cannot see.`,
};

/**
 * HTTP API variables (not REST ones): one JSON line per request, without bodies or tokens. The route's
 * template (`routeKey`), never the path: in a one-tap link (`/a/{token}`) or an unsubscribe link
 * (`/u/{token}`) the path is the credential.
 */
const accessLogFields = (service: string) => ({
  // A constant, so the throttled-capture metric filter can put the stage's metric under its own `service` like the handlers' metrics.
  service,
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  // Who read which lead: the rep id of JWT routes, empty on public ones.
  principal: '$context.authorizer.claims.username',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
});

/**
 * The one HTTP API: an access-logged `$default` stage, and a route per manifest HTTP trigger. Every route
 * is throttled on its own (HTTP APIs have no stage-wide throttle): capture routes with the configuration's
 * `captureRoutes` limit (route settings), the others with `otherRoutes` (the default route settings).
 * JWT routes are guarded by the user pool's tokens; roles are checked by the handlers from the claims.
 */
export class LeadHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The route keys (`POST /forms/{formId}/submissions`) of the capture routes, as they are added. */
  readonly captureRouteKeys: string[] = [];
  private readonly jwtAuthorizer: HttpJwtAuthorizer;
  private readonly captureThrottle: OperationsConfiguration['apiThrottle']['captureRoutes'];

  constructor(scope: Construct, id: string, props: LeadHttpApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: Stack.of(this).stackName,
      description: "Leadflow HTTP API: lead capture and the sales team's lead API.",
      // CORS is answered by the handlers, which know each form's allowed origins.
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle.otherRoutes,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields(Stack.of(this).stackName))),
      },
    });
    this.captureThrottle = props.throttle.captureRoutes;
    const captureRouteSettings = () =>
      Object.fromEntries(this.captureRouteKeys.map((routeKey) => [routeKey, { ThrottlingRateLimit: this.captureThrottle.rateLimit, ThrottlingBurstLimit: this.captureThrottle.burstLimit }]));
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Lazy.any({ produce: () => (this.captureRouteKeys.length ? captureRouteSettings() : undefined) });

    const region = Stack.of(this).region;
    this.jwtAuthorizer = new HttpJwtAuthorizer('CognitoJwt', `https://cognito-idp.${region}.amazonaws.com/${props.userPool.userPoolId}`, {
      authorizerName: 'cognito-jwt',
      jwtAudience: [props.userPoolClient.userPoolClientId],
    });
  }

  /** The stage's invoke URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/`. */
  get url(): string {
    return this.stage.url;
  }

  /** Adds the route `METHOD path` (and `HEAD path` beside a GET that answers it) invoking `handler` with a payload-format-2.0 Lambda integration. */
  addRoute(id: string, trigger: HttpTrigger, handler: lambda.IFunction): apigwv2.HttpRoute {
    const integration = new HttpLambdaIntegration(`${id}Integration`, handler, { payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0 });
    const authMode = trigger.auth.mode;
    const routeFor = (method: apigwv2.HttpMethod, routeId: string) =>
      new apigwv2.HttpRoute(this, routeId, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(trigger.path, method),
        integration,
        authorizer: authMode === 'jwt' ? this.jwtAuthorizer : new apigwv2.HttpNoneAuthorizer(),
      });
    const route = routeFor(apigwv2.HttpMethod[trigger.method], `${id}Route`);
    const routes = trigger.answersHead ? [route, routeFor(apigwv2.HttpMethod.HEAD, `${id}HeadRoute`)] : [route];
    if (trigger.throttle === 'capture') {
      this.captureRouteKeys.push(`${trigger.method} ${trigger.path}`);
      // A stage's route settings may name only routes that exist already.
      this.stage.node.addDependency(route);
    }
    if (authMode !== 'jwt') {
      const reason = unauthorisedRouteReasons[authMode](`${trigger.method} ${trigger.path}`);
      for (const unauthorised of routes) NagSuppressions.addResourceSuppressions(unauthorised, [{ id: 'AwsSolutions-APIG4', reason }], true);
    }
    return route;
  }
}
