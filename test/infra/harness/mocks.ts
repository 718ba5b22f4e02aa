/**
 * Pulumi mocks for the AWS control plane: every resource gets plausible outputs (ids, ARNs,
 * the extra attributes SST reads), and the data sources SST invokes get fixed answers.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'ap-southeast-2';

export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** What the mock returned as the resource's state: inputs plus outputs such as `arn`. */
  state: Record<string, unknown>;
}

interface MockResourceArgs { type: string; name: string; inputs: Record<string, unknown>; custom?: boolean; id?: string }
interface MockCallArgs { token: string; inputs: Record<string, unknown> }

/** `aws:kms/key:Key` → `kms`; used to make ARNs that look like the service's own. */
function serviceOf(type: string): string {
  return type.split(':')[1]?.split('/')[0] ?? 'unknown';
}

function arnFor(type: string, name: string): string {
  const service = serviceOf(type);
  switch (type) {
    case 'aws:cloudwatch/logGroup:LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
    case 'aws:dynamodb/table:Table': return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    case 'aws:kms/key:Key': return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`;
    case 'aws:iam/role:Role': return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case 'aws:s3/bucket:Bucket': return `arn:aws:s3:::${name}`;
    default: return `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`;
  }
}

function outputsFor(args: MockResourceArgs, id: string): Record<string, unknown> {
  // A bucket's physical name is its `bucket` input.
  const physical = (args.inputs.name as string | undefined) ?? (args.type === 'aws:s3/bucket:Bucket' ? args.inputs.bucket as string | undefined : undefined) ?? args.name;
  const base = { arn: arnFor(args.type, physical), name: physical, id };
  switch (args.type) {
    case 'aws:apigateway/restApi:RestApi':
      return { ...base, rootResourceId: `${id}-root`, executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}` };
    case 'aws:apigateway/stage:Stage': {
      const stage = args.inputs.stageName as string;
      return {
        ...base,
        arn: `arn:aws:apigateway:${REGION}::/restapis/${String(args.inputs.restApi)}/stages/${stage}`,
        invokeUrl: `https://${String(args.inputs.restApi)}.execute-api.${REGION}.amazonaws.com/${stage}`,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${String(args.inputs.restApi)}/${stage}`,
      };
    }
    // A versioned bucket's object: the version a mutual-TLS domain names (infra/sender-constraint.ts).
    case 'aws:s3/bucketObjectv2:BucketObjectv2':
      return { ...base, versionId: `${id}-version-1` };
    case 'aws:lambda/function:Function':
      return { ...base, invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${base.arn}/invocations`, qualifiedArn: base.arn };
    case 'aws:cognito/userPool:UserPool':
      return { ...base, endpoint: `cognito-idp.${REGION}.amazonaws.com/${id}` };
    case 'random:index/randomBytes:RandomBytes':
      return { base64: Buffer.alloc(Number(args.inputs.length ?? 32)).toString('base64'), hex: '00' };
    default:
      return base;
  }
}

type Statement = {
  effect?: string; actions?: string[]; resources?: string[]; sid?: string;
  principals?: Array<{ type: string; identifiers: string[] }>;
  conditions?: Array<{ test: string; variable: string; values: string[] }>;
};

/** `aws.iam.getPolicyDocument`: the JSON AWS would render from the statements. */
function policyDocument(inputs: Record<string, unknown>): Record<string, unknown> {
  const statements = (inputs.statements as Statement[] | undefined) ?? [];
  const doc = {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      ...(s.actions ? { Action: s.actions } : {}),
      ...(s.resources ? { Resource: s.resources } : {}),
      ...(s.principals ? { Principal: Object.fromEntries(s.principals.map((p) => [p.type, p.identifiers])) } : {}),
      ...(s.conditions ? {
        Condition: s.conditions.reduce<Record<string, Record<string, string[]>>>((acc, c) => {
          acc[c.test] = { ...acc[c.test], [c.variable]: c.values };
          return acc;
        }, {}),
      } : {}),
    })),
  };
  const json = JSON.stringify(doc);
  return { ...inputs, json, minifiedJson: json, id: 'policy' };
}

export interface RecordingMocks {
  resources: RecordedResource[];
  invokes: Set<string>;
  unknownInvokes: Set<string>;
  newResource(args: MockResourceArgs): { id: string; state: Record<string, unknown> };
  call(args: MockCallArgs): Record<string, unknown>;
}

export function recordingMocks(): RecordingMocks {
  const resources: RecordedResource[] = [];
  const invokes = new Set<string>();
  const unknownInvokes = new Set<string>();
  const answers: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
    'aws:index/getRegion:getRegion': () => ({ name: REGION, region: REGION, id: REGION }),
    'aws:index/getPartition:getPartition': () => ({ partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' }),
    'aws:index/getCallerIdentity:getCallerIdentity': () => ({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, id: ACCOUNT }),
    'aws:iam/getPolicyDocument:getPolicyDocument': policyDocument,
  };
  return {
    resources,
    invokes,
    unknownInvokes,
    newResource(args) {
      const id = args.id || `${args.name}-id`; // "" for new resources
      const state = { ...args.inputs, ...outputsFor(args, id) };
      resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs, state });
      return { id, state };
    },
    call({ token, inputs }) {
      invokes.add(token);
      const answer = answers[token];
      if (!answer) {
        // A new SST data source must be noticed, not silently answered.
        unknownInvokes.add(token);
        return {};
      }
      return answer(inputs);
    },
  };
}
