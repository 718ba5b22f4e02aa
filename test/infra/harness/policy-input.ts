/** The synth's custom resources as the policy rules see them: properties = inputs plus outputs. */
import type { PolicyResource } from '../../../infra/policy-pack/rules.js';
import type { OutputOf, StackTransform, Synth } from './synth.js';

export function policyResources(result: Synth): PolicyResource[] {
  return result.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: r.state }));
}

export type PropsChange = (props: Record<string, unknown>, name: string, output: OutputOf) => Record<string, unknown>;

/** A breakage: rewrite the properties of every resource of one type. */
export interface Breakage { type: string; change: PropsChange }

/** One stack transformation applying several breakages, each to its own resource type. */
export function breakAll(breakages: readonly Breakage[]): StackTransform {
  return (args, output) => {
    const breakage = breakages.find((b) => b.type === args.type);
    return breakage ? { props: breakage.change(args.props, args.name, output), opts: args.opts } : undefined;
  };
}
