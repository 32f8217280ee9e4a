/**
 * The credential chain of the Lambda bundles, and of nothing else: esbuild puts this module in place of
 * `@aws-sdk/credential-provider-node` when it bundles the functions (`alias` in scripts/build.mjs, `Alias` in
 * template.yaml's BuildProperties), so every SDK client and the STS client that assumes member roles resolve their
 * default credentials here. Lambda gives a function its execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: "Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime), which is the
 * first link of the SDK's own chain; the rest of that chain (SSO, shared config files, credential processes, web
 * identity tokens, container and instance metadata) finds nothing in a Lambda function, and bundling it cost each
 * function about 90 KB minified, the nested SSO and sign-in clients included. The CLI, the tests and the benchmarks keep
 * the SDK's full chain. Not covered: a Lambda that serves credentials only from a container endpoint
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI, as SnapStart does for the runtimes it supports); template.yaml enables no such
 * feature, and such a function stops at its first call with LambdaCredentialsError, which names what it looked for.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export class LambdaCredentialsError extends Error {
  override readonly name = 'LambdaCredentialsError';
}

/** The signature of the SDK's `defaultProvider`; `init` carries the client's logger, which fromEnv may use. */
export const defaultProvider =
  (init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider =>
  async () => {
    try {
      return await fromEnv(init)();
    } catch (e) {
      throw new LambdaCredentialsError(
        `no credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): a Lambda function's bundle reads only the execution role's credentials Lambda sets there (${(e as Error).message})`,
      );
    }
  };
