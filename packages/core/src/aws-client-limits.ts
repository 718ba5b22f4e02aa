/**
 * Bounded waits for every AWS SDK client of the data layer (DynamoDB, KMS): a call that hangs
 * must fail well inside the Lambda deadline (5–10 s), so the caller gets an OperationOutcome and
 * not a gateway timeout. The SDK's standard retry strategy (exponential backoff with jitter and
 * a retry quota) retries throttling and transient errors at most twice.
 */
export const AWS_CLIENT_LIMITS = {
  maxAttempts: 3,
  retryMode: 'standard',
  // Without throwOnRequestTimeout this SDK version only warns when requestTimeout passes.
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
} as const;
