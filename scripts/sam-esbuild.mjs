// The esbuild command line `sam build` runs for a function's `Metadata: BuildMethod: esbuild` (aws-lambda-builders'
// nodejs_npm_esbuild workflow, aws_lambda_builders/workflows/nodejs_npm_esbuild/esbuild.py in
// https://github.com/aws/aws-lambda-builders; the documented keys are at
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html):
// always --bundle --platform=node --outdir; es2020, cjs and --minify when Target, Format and Minify are absent; then
// each BuildProperties key in kebab case: true -> --key,
// a string or number -> --key=value, a list -> --key:item per item (false emits nothing). Lets tests build exactly what
// SAM would, without SAM (PyPI is unreachable here).

const kebab = (key) => key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** esbuild CLI arguments for one function's BuildProperties, writing into outdir. */
export function esbuildArgs(buildProperties, outdir) {
  const { EntryPoints, ...rest } = buildProperties;
  if (!Array.isArray(EntryPoints) || EntryPoints.length === 0) throw new Error('BuildProperties.EntryPoints must be a non-empty list');
  const args = ['--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!('Target' in rest)) args.push('--target=es2020');
  if (!('Format' in rest)) args.push('--format=cjs');
  if (!('Minify' in rest)) args.push('--minify');
  for (const [key, value] of Object.entries(rest)) {
    const flag = `--${kebab(key)}`;
    if (value === true) args.push(flag);
    else if (value === false) continue;
    else if (Array.isArray(value)) for (const item of value) args.push(`${flag}:${item}`);
    else if (typeof value === 'string' || typeof value === 'number') args.push(`${flag}=${value}`);
    else throw new Error(`BuildProperties.${key}: unsupported value ${JSON.stringify(value)}`);
  }
  return [...args, ...EntryPoints];
}
