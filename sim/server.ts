/**
 * The simulator's HTTP server on 127.0.0.1: one endpoint for CloudTrail, Organizations and Cost Explorer (awsJson1_1,
 * dispatched on X-Amz-Target in both the SDK's and the CLI's forms) and STS (awsQuery). The caller's account comes from
 * its access key (an assumed-role session belongs to the role's account), the region from the SigV4 credential scope,
 * so one server hosts a whole organization (credential scope:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html; an account id as the
 * access key is this simulator's convention) once its SigV4 signature is verified with the key's secret (sim/sigv4.ts,
 * Simulator.authenticate). Every request is validated against the Smithy model, may meet injected
 * faults, is logged, and every CloudTrail write emits its CloudTrail record.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock';
import { cloudTrailOperations, isWrite } from './cloudtrail';
import type { CallContext } from './cloudtrail/common';
import { costExplorerOperations } from './cost-explorer';
import { isSecurityHubImport, SecurityHubState } from './securityhub';
import type { HistoryEvent } from './cloudtrail/tags-and-events';
import { SimError } from './errors';
import { Faults, type RequestFacts, type ThrottlingBudget } from './faults';
import cloudtrailModel from './model/cloudtrail.json';
import costexplorerModel from './model/costexplorer.json';
import organizationsModel from './model/organizations.json';
import stsModel from './model/sts.json';
import { organizationsOperations } from './organizations';
import { cloudTrailRecord, envelope, insightRecord, type EventBridgeEvent, type InsightEventInput } from './records';
import { basicIso, expectedSignature, parseAuthorization, requestDate, sameSignature } from './sigv4';
import { SimState, type Caller } from './state';
import { assumeRole, getCallerIdentity, stsError } from './sts';
import { validateShape, validationError, type ServiceModel } from './validate';
import { REGION_PATTERN, validateWorld, type World, type WorldInput } from './world';

const MODELS: Record<'cloudtrail' | 'organizations' | 'sts' | 'costexplorer', ServiceModel> = {
  cloudtrail: cloudtrailModel as ServiceModel,
  costexplorer: costexplorerModel as ServiceModel,
  organizations: organizationsModel as ServiceModel,
  sts: stsModel as ServiceModel,
};

/**
 * X-Amz-Target prefixes: the JS SDK's (service shape name + "." + operation,
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html) and botocore's (its `targetPrefix`) for CloudTrail,
 * Organizations' (`com.amazonaws.organizations#AWSOrganizationsV20161128`) and Cost Explorer's
 * (`com.amazonaws.costexplorer#AWSInsightsIndexService`, the same for the SDK and botocore).
 */
const TARGETS: Record<string, 'cloudtrail' | 'organizations' | 'costexplorer'> = {
  CloudTrail_20131101: 'cloudtrail',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101': 'cloudtrail',
  AWSOrganizationsV20161128: 'organizations',
  AWSInsightsIndexService: 'costexplorer',
};

/** IAM action prefixes where they differ from the simulator's service name (ce: for Cost Explorer). */
const IAM_PREFIX: Record<string, string> = { costexplorer: 'ce' };

/** Above Security Hub's 6 MB per batch (sim/securityhub.ts), so that limit is the service's answer, not the reader's. */
const MAX_BODY = 7 * 1024 * 1024;

/** SigV4 signing names (the `aws.auth#sigv4` trait's `name` in each model; Cost Explorer signs as `ce`). */
const SIGNING_NAME: Record<Service, string> = { cloudtrail: 'cloudtrail', organizations: 'organizations', sts: 'sts', costexplorer: 'ce', securityhub: 'securityhub' };
type Service = 'cloudtrail' | 'organizations' | 'sts' | 'costexplorer' | 'securityhub';

/** How far a request's date may be from the server's clock, either way (RequestExpired, Common Errors). */
const CLOCK_SKEW_MS = 15 * 60_000;

export interface SimulatorOptions {
  world: World | WorldInput;
  port?: number;
  clock?: SimClock;
  throttling?: Partial<ThrottlingBudget>;
  /** Simulated milliseconds an event data store spends in a transitional status (default 100). */
  transitionMs?: number;
  seed?: number;
  /**
   * The first page of every Organizations listing is empty with a NextToken (allowed:
   * `com.amazonaws.organizations#ListAccounts`). Default true.
   */
  organizationsEmptyFirstPage?: boolean;
  /**
   * Deliver "AWS API Call via CloudTrail" only where a logging trail covers the account and region ("you must enable a
   * CloudTrail trail with logging",
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html; the effect of stopping
   * the last trail is UNVERIFIED in practice). Default true.
   */
  eventBridgeRequiresLoggingTrail?: boolean;
  /** Groups per GetCostAndUsage page before a NextPageToken (Cost Explorer's page size is UNVERIFIED). Default 500. */
  costExplorerPageSize?: number;
}

export interface CallLogEntry {
  at: number;
  service: string;
  operation: string;
  account: string;
  region: string;
  status: number;
  error?: string;
  ms: number;
}

export class Simulator {
  readonly state: SimState;
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly calls: CallLogEntry[] = [];
  /** Security Hub's imported findings per account-region (sim/securityhub.ts). */
  readonly securityHub: SecurityHubState;
  private readonly listeners = new Set<(e: EventBridgeEvent) => void>();
  private readonly history = new Map<string, HistoryEvent[]>();
  private readonly insightHistory = new Map<string, HistoryEvent[]>();
  private readonly ctOps;
  private readonly orgOps;
  private readonly ceOps;
  private server!: Server;
  endpoint = '';

  private constructor(private readonly options: SimulatorOptions) {
    this.clock = options.clock ?? new SimClock();
    this.state = new SimState(validateWorld(options.world), this.clock);
    this.state.transitionMs = options.transitionMs ?? 100;
    this.faults = new Faults(options.throttling, options.seed);
    this.ctOps = cloudTrailOperations((account, region, insight) => (insight ? this.insightHistory : this.history).get(`${account}/${region}`) ?? []);
    this.orgOps = organizationsOperations({ emptyFirstPage: options.organizationsEmptyFirstPage !== false });
    this.ceOps = costExplorerOperations({ pageSize: options.costExplorerPageSize ?? 500 });
    this.securityHub = new SecurityHubState(this.state.world.securityHub ?? { disabled: [], deniedCallers: [] });
  }

  static async start(options: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(options);
    sim.server = createServer((req, res) => void sim.handle(req, res));
    sim.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    sim.endpoint = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    return sim;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Subscribes to the EventBridge stream; returns the unsubscribe function. */
  onEvent(listener: (e: EventBridgeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Emits an "AWS Insight via CloudTrail" event and records it for LookupEvents with EventCategory insight. */
  injectInsightEvent(input: InsightEventInput): EventBridgeEvent {
    const at = this.clock.nowMs();
    const record = insightRecord(input, at);
    const key = `${input.account}/${input.region}`;
    const list = this.insightHistory.get(key) ?? [];
    list.push({ eventId: String(record.eventID), eventName: input.eventName ?? 'CreateAccessKey', eventSource: 'cloudtrail.amazonaws.com', eventTime: at, readOnly: false, resources: [], record });
    this.insightHistory.set(key, list);
    const e = envelope('AWS Insight via CloudTrail', input.account, input.region, at, record);
    this.emit(e);
    return e;
  }

  dumpWorld(): WorldInput {
    return this.state.dump();
  }

  /** Calls per operation, per account-region, and errors, for tests and benchmarks. */
  callCounts(filter: (c: CallLogEntry) => boolean = () => true): { byOperation: Record<string, number>; byAccountRegion: Record<string, number>; errors: Record<string, number>; total: number } {
    const out = { byOperation: {} as Record<string, number>, byAccountRegion: {} as Record<string, number>, errors: {} as Record<string, number>, total: 0 };
    for (const c of this.calls.filter(filter)) {
      out.total++;
      out.byOperation[c.operation] = (out.byOperation[c.operation] ?? 0) + 1;
      out.byAccountRegion[`${c.account}/${c.region}`] = (out.byAccountRegion[`${c.account}/${c.region}`] ?? 0) + 1;
      if (c.error) out.errors[c.error] = (out.errors[c.error] ?? 0) + 1;
    }
    return out;
  }

  private emit(e: EventBridgeEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure is the listener's business; the stream goes on.
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const jsonService = dot > 0 ? TARGETS[target.slice(0, dot)] : undefined;
    // Security Hub is restJson1: the operation is the method and path (`com.amazonaws.securityhub#BatchImportFindings`'s
    // http trait, POST /findings/import), not a target header.
    const hub = !target && isSecurityHubImport(req.method, req.url);
    const service: Service | undefined = hub ? 'securityhub' : (jsonService ?? (target ? undefined : 'sts'));
    let operation = hub ? 'BatchImportFindings' : dot > 0 ? target.slice(dot + 1) : '';
    const log = (status: number, account: string, region: string, error?: string) =>
      this.calls.push({ at: this.clock.nowMs(), service: service ?? 'unknown', operation: operation || 'unknown', account, region, status, ...(error && { error }), ms: performance.now() - started });
    const sendJson = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '{}' : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const sendError = (e: SimError, account = '', region = '') => {
      log(e.status, account, region, e.code);
      if (service === 'sts') {
        const xml = stsError(e, requestId);
        res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      // __type carries the shape name; the header, when sent, must agree (the SDK reads it first: `loadRestJsonErrorCode`
      // in aws/aws-sdk-js-v3 packages/core/src/submodules/protocols/json/parseJsonBody.ts).
      sendJson(e.status, { __type: e.code, Message: e.message, ...e.members }, { 'x-amzn-errortype': e.code });
    };

    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch {
      return sendError(new SimError('SerializationException', 'Request body too large or unreadable.'));
    }
    if (!service) return sendError(new SimError('UnknownOperationException', `Unknown target: ${target}`));
    const body = rawBody.toString('utf8');

    // Caller and region from SigV4, after the signature is verified (sim/sigv4.ts).
    const authenticated = this.authenticate(req, rawBody, service);
    if (authenticated instanceof SimError) return sendError(authenticated, '', parseAuthorization(String(req.headers.authorization ?? ''))?.region ?? '');
    const { caller, region } = authenticated;

    let input: Record<string, unknown>;
    let stsParams: Record<string, string> = {};
    if (service === 'sts') {
      stsParams = Object.fromEntries(new URLSearchParams(body));
      operation = stsParams.Action ?? '';
      input = stsInput(stsParams);
    } else {
      try {
        // An empty body is an empty input (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html).
        const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = withoutNulls(parsed) as Record<string, unknown>;
      } catch {
        return sendError(new SimError('SerializationException', 'Start of structure or map found where not expected.'), caller.account, region);
      }
    }

    if (service === 'securityhub') operation = 'BatchImportFindings';
    const model = service === 'securityhub' ? undefined : MODELS[service];
    const op = model ? model.operations[operation] : { input: undefined };
    if (!op) return sendError(new SimError(service === 'sts' ? 'InvalidAction' : 'UnknownOperationException', `Unknown operation ${operation}`), caller.account, region);

    // Faults concern the account a request acts on: the caller's, or for AssumeRole the role's.
    const roleAccount = operation === 'AssumeRole' ? /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(stsParams.RoleArn ?? '')?.[1] : undefined;
    const facts: RequestFacts = { service, operation, account: roleAccount ?? caller.account, region, write: service === 'cloudtrail' && isWrite(operation) };
    for (const f of this.faults.decide(facts)) {
      if (f.effect === 'latency') await new Promise((r) => setTimeout(r, f.latencyMs ?? 100));
      if (f.effect === 'drop') {
        log(0, caller.account, region, 'ConnectionDropped');
        req.socket.destroy();
        return;
      }
      if (f.effect === 'serverError')
        return sendError(new SimError(service === 'organizations' ? 'ServiceException' : service === 'sts' ? 'InternalError' : 'InternalFailure', 'The request processing has failed because of an unknown error.', 500), caller.account, region);
      if (f.effect === 'throttle')
        return sendError(
          service === 'organizations'
            ? new SimError('TooManyRequestsException', 'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.', 400, { Type: 'AWSOrganizationsV20161128' })
            : service === 'sts'
              ? new SimError('Throttling', 'Rate exceeded', 400)
              : service === 'securityhub'
                ? // "The request was rejected because it attempted to create resources beyond the current AWS account or throttling limits." (LimitExceededException, 429, API_BatchImportFindings)
                  new SimError('LimitExceededException', 'The request was rejected because it attempted to create resources beyond the current AWS account or throttling limits.', 429)
              : service === 'costexplorer'
                ? // "You made too many calls in a short period of time. Try again later." (`com.amazonaws.costexplorer#LimitExceededException`)
                  new SimError('LimitExceededException', 'You made too many calls in a short period of time. Try again later.', 400)
                : new SimError('ThrottlingException', 'Rate exceeded', 400),
          caller.account,
          region,
        );
      if (f.effect === 'accessDenied') {
        const e =
          service === 'sts'
            ? new SimError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:${operation}${roleAccount ? ` on resource: ${stsParams.RoleArn}` : ''}`, 403)
            : new SimError('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: ${IAM_PREFIX[service] ?? service}:${operation} because no identity-based policy allows the ${IAM_PREFIX[service] ?? service}:${operation} action`, 400);
        this.record(service, caller, region, operation, input, undefined, e, requestId, req);
        return sendError(e, caller.account, region);
      }
    }

    if (model && op.input) {
      const problem = validateShape(model, op.input, input, '');
      if (problem) {
        const e = validationError(model, operation, problem);
        this.record(service, caller, region, operation, input, undefined, e, requestId, req);
        return sendError(e, caller.account, region);
      }
    }

    try {
      if (service === 'sts') {
        const xml = operation === 'AssumeRole' ? assumeRole(stsParams, caller, this.state, requestId) : getCallerIdentity(caller, requestId);
        log(200, caller.account, region);
        res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      if (service === 'organizations') {
        const out = this.orgOps[operation]!(input, caller, this.state);
        log(200, caller.account, region);
        return sendJson(200, out);
      }
      if (service === 'securityhub') {
        const out = this.securityHub.batchImportFindings(rawBody, input, caller, region, this.clock.nowMs());
        log(200, caller.account, region);
        return sendJson(200, out);
      }
      if (service === 'costexplorer') {
        const out = this.ceOps[operation]!(input, { state: this.state, caller, region, clock: this.clock });
        log(200, caller.account, region);
        return sendJson(200, out);
      }
      const ctx: CallContext = { state: this.state, caller, region, clock: this.clock };
      const covered = this.coveredByLoggingTrail(caller.account, region);
      const out = this.ctOps[operation]!(input, ctx);
      log(200, caller.account, region);
      sendJson(200, out ?? {});
      if (isWrite(operation)) this.record(service, caller, region, operation, input, out, undefined, requestId, req, covered);
    } catch (e) {
      if (!(e instanceof SimError)) {
        // A bug in the simulator must look like a 500 to the client and never take the server down.
        return sendError(new SimError('InternalFailure', `simulator error: ${(e as Error).message}`, 500), caller.account, region);
      }
      this.record(service, caller, region, operation, input, undefined, e, requestId, req);
      sendError(e, caller.account, region);
    }
  }

  /**
   * SigV4 verification (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
   * each refusal as AWS answers it in the service's protocol: the awsJson services (CloudTrail, Organizations, Cost
   * Explorer) answer with the `...Exception` codes of AWS's JSON services, STS (awsQuery) with the codes of its Common
   * Errors page (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html). In order:
   * - no Authorization header: MissingAuthenticationToken(Exception), "Missing Authentication Token"
   *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html);
   * - an Authorization header that is not SigV4's form: IncompleteSignature(Exception) (Common Errors);
   * - a key nobody issued, a session key without the session token STS gave with it or with another token, or a
   *   long-term key sent with a token: InvalidClientTokenId (STS, 403) / UnrecognizedClientException (JSON), "The
   *   security token included in the request is invalid." (Common Errors: "The X.509 certificate or AWS access key ID
   *   provided does not exist in our records");
   * - a session past its expiry (the simulated clock): ExpiredToken (STS, 403) / ExpiredTokenException (JSON), "The
   *   security token included in the request is expired";
   * - a credential scope naming another service, or no Region of any partition: SignatureDoesNotMatch (STS, 403) /
   *   InvalidSignatureException (JSON), "Credential should be scoped to correct service" / "to a valid region";
   * - a request dated more than 15 minutes from now, either way ("The request reached the service more than 15
   *   minutes after the date stamp on the request ... or the date stamp on the request is more than 15 minutes in the
   *   future", RequestExpired on the Common Errors page; the services answer it as their signature error with
   *   "Signature expired: ... is now earlier than ... (... - 15 min.)", which is what the SDKs' clock-skew correction
   *   looks for): measured on the machine's clock, not the simulated one, since clients sign with real time;
   * - a scope date other than the request date's day, or a signature other than the one the secret gives:
   *   SignatureDoesNotMatch (STS, 403) / InvalidSignatureException (JSON), "The request signature we calculated does
   *   not match the signature you provided. Check your AWS Secret Access Key and signing method."
   */
  private authenticate(req: IncomingMessage, body: Buffer, service: Service): { caller: Caller; region: string } | SimError {
    const query = service === 'sts';
    const error = (queryCode: string, jsonCode: string, message: string, queryStatus = 403, jsonStatus = 400) => (query ? new SimError(queryCode, message, queryStatus) : new SimError(jsonCode, message, jsonStatus));
    const header = req.headers.authorization;
    if (!header) return error('MissingAuthenticationToken', 'MissingAuthenticationTokenException', 'Missing Authentication Token', 403, 403);
    const auth = parseAuthorization(String(header));
    if (!auth) return error('IncompleteSignature', 'IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters, signed with AWS4-HMAC-SHA256.`, 400);
    const key = this.state.credentialsFor(auth.accessKeyId);
    const invalidToken = () => error('InvalidClientTokenId', 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (!key) return invalidToken();
    const tokenHeader = req.headers['x-amz-security-token'];
    const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
    if (key.sessionToken !== undefined ? token !== key.sessionToken : token !== undefined) return invalidToken();
    if (key.expiresAt !== undefined && key.expiresAt <= this.clock.nowMs()) return error('ExpiredToken', 'ExpiredTokenException', 'The security token included in the request is expired');
    const signingName = SIGNING_NAME[service];
    if (auth.service !== signingName) return error('SignatureDoesNotMatch', 'InvalidSignatureException', `Credential should be scoped to correct service: '${signingName}'. `);
    if (!REGION_PATTERN.test(auth.region)) return error('SignatureDoesNotMatch', 'InvalidSignatureException', `Credential should be scoped to a valid region. `);
    const { amzDate, signedAt } = requestDate(req);
    if (amzDate === undefined || signedAt === undefined || !auth.signedHeaders.includes('host'))
      return error('IncompleteSignature', 'IncompleteSignatureException', 'Authorization header requires a signed host header and an X-Amz-Date or Date header.', 400);
    const now = Date.now();
    if (Math.abs(now - signedAt) > CLOCK_SKEW_MS) {
      const message =
        signedAt < now
          ? `Signature expired: ${amzDate} is now earlier than ${basicIso(now - CLOCK_SKEW_MS)} (${basicIso(now)} - 15 min.)`
          : `Signature not yet current: ${amzDate} is still later than ${basicIso(now + CLOCK_SKEW_MS)} (${basicIso(now)} + 15 min.)`;
      return error('SignatureDoesNotMatch', 'InvalidSignatureException', message);
    }
    const mismatch = () => error('SignatureDoesNotMatch', 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    if (auth.date !== amzDate.slice(0, 8)) return mismatch();
    if (!sameSignature(expectedSignature(req, body, auth, amzDate, key.secretAccessKey), auth.signature)) return mismatch();
    return { caller: key.caller, region: auth.region };
  }

  /**
   * A logging trail of the account (homed here, or multi-region), or the organization's, covers the account-region
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
   */
  private coveredByLoggingTrail(account: string, region: string): boolean {
    if (this.options.eventBridgeRequiresLoggingTrail === false) return true;
    for (const t of this.state.coveringTrails(account)) {
      if (!t.isLogging) continue;
      const reaches = t.multiRegion || t.homeRegion === region;
      if (t.account === account && reaches) return true;
      if (t.organization && reaches && this.state.inOrganization(account)) return true;
    }
    return false;
  }

  /**
   * Records a CloudTrail write, successful or failed, in the history and on the EventBridge stream
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
   */
  private record(
    service: string,
    caller: Caller,
    region: string,
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown> | undefined,
    error: SimError | undefined,
    requestId: string,
    req: IncomingMessage,
    covered = this.coveredByLoggingTrail(caller.account, region),
  ): void {
    if (service !== 'cloudtrail' || !isWrite(operation)) return;
    const at = this.clock.nowMs();
    const record = cloudTrailRecord({ caller, region, operation, input, output, ...(error && { error: { code: error.code, message: error.message } }), requestId, userAgent: String(req.headers['user-agent'] ?? ''), at });
    const key = `${caller.account}/${region}`;
    const list = this.history.get(key) ?? [];
    const name = input.TrailName ?? input.Name ?? input.EventDataStore ?? input.ResourceId;
    list.push({
      eventId: String(record.eventID),
      eventName: operation,
      eventSource: 'cloudtrail.amazonaws.com',
      eventTime: at,
      readOnly: false,
      username: caller.kind === 'user' ? caller.name : caller.sessionName,
      accessKeyId: caller.accessKeyId,
      resources: typeof name === 'string' ? [{ ResourceType: String(name).includes('eventdatastore') || input.EventDataStore ? 'AWS::CloudTrail::EventDataStore' : 'AWS::CloudTrail::Trail', ResourceName: name }] : [],
      record,
    });
    if (list.length > 2000) list.splice(0, list.length - 2000);
    this.history.set(key, list);
    if (covered) this.emit(envelope('AWS API Call via CloudTrail', caller.account, region, at, record));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A null member is an absent member (awsJson1_1 clients omit them; a hand-written body may not). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/** awsQuery parameters to the model's input shape, for validation: scalars only, as AssumeRole's required ones are. */
function stsInput(params: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'Action' || k === 'Version' || k.includes('.')) continue;
    out[k] = k === 'DurationSeconds' ? Number(v) : v;
  }
  return out;
}

