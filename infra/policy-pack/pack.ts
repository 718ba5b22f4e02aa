/**
 * The policy rules as a Pulumi policy pack, so `sst deploy --policy` refuses a stack that
 * breaks a control. Built into .sst/policy-pack by `npm run policy-pack:build` (see
 * docs/deploy.md); the rules themselves are tested offline in test/infra/policy.test.ts.
 */
import { PolicyPack } from '@pulumi/policy';
import { getStack } from '@pulumi/pulumi';
import { rules } from './rules';

new PolicyPack('secure-health-api', {
  policies: rules.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: 'mandatory',
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
      for (const violation of rule.check(resources, { stage: getStack() })) reportViolation(violation);
    },
  })),
});
