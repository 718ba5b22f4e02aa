/**
 * WAF in front of the API stage: AWS managed rule groups, a rate limit per source IP, a body
 * size limit, optional IP allow/deny lists (gateway-config), and logging with credentials and
 * query strings redacted. Sampled requests stay off: they would keep tokens and keys in clear.
 */
import { errorSpec, operationOutcome, type ErrorCode } from '../packages/core/src/errors';
import { gatewayConfig } from '../packages/core/src/gateway-config';
import { stage } from './api';
import { WAF_MANAGED_RULE_GROUPS, WAF_REDACTED_HEADERS } from './controls';
import { encryptedLogGroup } from './logs';
import { stackName } from './stage';

const { waf } = gatewayConfig;

const visibility = (metricName: string) => ({ metricName, cloudwatchMetricsEnabled: true, sampledRequestsEnabled: false });

/** A block answered as the functions and the local gateway answer the same refusal: the code's status and OperationOutcome. */
function blockWith(code: ErrorCode) {
  return { block: { customResponse: { responseCode: errorSpec(code).status, customResponseBodyKey: code } } };
}

function ipSet(name: string, addresses: string[]): aws.wafv2.IpSet {
  return new aws.wafv2.IpSet(name, { scope: 'REGIONAL', ipAddressVersion: 'IPV4', addresses });
}

const denySet = waf.denyIps.length > 0 ? ipSet('WafDenyList', waf.denyIps) : undefined;
const allowSet = waf.allowIps.length > 0 ? ipSet('WafAllowList', waf.allowIps) : undefined;

const managedRules = WAF_MANAGED_RULE_GROUPS.map((name) => ({
  name,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: 'AWS',
      name,
      // The common set blocks bodies over 8 KB; the API's own limit is the body-size rule below.
      ...(name === 'AWSManagedRulesCommonRuleSet' ? { ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] } : {}),
    },
  },
  visibilityConfig: visibility(name),
}));

const rules = [
  ...(denySet ? [{ name: 'DenyList', action: { block: {} }, statement: { ipSetReferenceStatement: { arn: denySet.arn } }, visibilityConfig: visibility('DenyList') }] : []),
  ...managedRules,
  {
    name: 'RatePerSourceIp',
    action: blockWith('THROTTLED'),
    statement: { rateBasedStatement: { limit: waf.ratePerIp, evaluationWindowSec: waf.windowSeconds, aggregateKeyType: 'IP' } },
    visibilityConfig: visibility('RatePerSourceIp'),
  },
  {
    name: 'BodySizeLimit',
    action: blockWith('PAYLOAD_TOO_LARGE'),
    statement: {
      sizeConstraintStatement: {
        fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
        comparisonOperator: 'GT',
        size: waf.maxBodyBytes,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    },
    visibilityConfig: visibility('BodySizeLimit'),
  },
  ...(allowSet ? [{ name: 'AllowList', action: { allow: {} }, statement: { ipSetReferenceStatement: { arn: allowSet.arn } }, visibilityConfig: visibility('AllowList') }] : []),
].map((rule, priority) => ({ ...rule, priority }));

export const webAcl = new aws.wafv2.WebAcl('Waf', {
  scope: 'REGIONAL',
  // With an allow list, only listed addresses get past the other rules.
  defaultAction: allowSet ? { block: {} } : { allow: {} },
  rules,
  customResponseBodies: (['THROTTLED', 'PAYLOAD_TOO_LARGE'] as const).map((code) => ({
    key: code, contentType: 'APPLICATION_JSON', content: JSON.stringify(operationOutcome(code)),
  })),
  // Inspect bodies up to the size rule's limit, so oversize is judged on the real size.
  associationConfig: { requestBodies: [{ apiGateway: { defaultSizeInspectionLimit: 'KB_64' } }] },
  visibilityConfig: visibility('Waf'),
});

new aws.wafv2.WebAclAssociation('WafAssociation', { resourceArn: stage.arn, webAclArn: webAcl.arn });

// WAF only writes to log groups whose name starts with `aws-waf-logs-`.
const wafLogs = encryptedLogGroup('WafLogs', `aws-waf-logs-${stackName('api')}`);

new aws.wafv2.WebAclLoggingConfiguration('WafLogging', {
  resourceArn: webAcl.arn,
  logDestinationConfigs: [wafLogs.arn],
  redactedFields: [
    ...WAF_REDACTED_HEADERS.map((name) => ({ singleHeader: { name } })),
    // Search parameters carry patient identifiers.
    { queryString: {} },
  ],
});
