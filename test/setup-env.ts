// Nothing in a test may reach real AWS: dummy credentials and a fixed region, Powertools in dev mode.
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_LAMBDA_FUNCTION_NAME ??= 'insights-remediator';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'InsightsRemediator';
