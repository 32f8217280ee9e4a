/**
 * What the Lambda bundles leave out of their artifacts: esbuild puts this module in place of `bowser` and of
 * `@smithy/core/event-streams` when it bundles the functions (`alias` in scripts/build.mjs, `Alias` in template.yaml's
 * BuildProperties). The SDK imports both with `await import()` on paths a Lambda never takes: bowser parses a browser's
 * user agent (`createUserAgentStringParsingProvider`, browsers only), and the event-stream serde serves operations whose
 * input or output is an event stream, which none of the APIs this product calls has (CloudTrail, STS, Organizations,
 * DynamoDB, SQS, Secrets Manager, Security Hub, Cost Explorer: no `@streaming` member in their models). Left in, they
 * were 49 KB of every function's artifact. Should a future SDK or API take one of those paths, the import fails here
 * with this message instead of with something obscure.
 */
export class LambdaAbsentModuleError extends Error {
  override readonly name = 'LambdaAbsentModuleError';
}

throw new LambdaAbsentModuleError(
  'a module the Lambda bundles leave out was imported: bowser (a browser user-agent parser) or @smithy/core/event-streams (event-stream operations); see lib/aws/lambda-absent.ts, and drop its alias from scripts/build.mjs and template.yaml if an API now needs it',
);
