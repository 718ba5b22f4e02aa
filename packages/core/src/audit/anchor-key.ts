/**
 * Where an audit anchor lives in the anchor bucket. Plain data, shared with the infra, which
 * lets the functions put objects under this prefix and nowhere else.
 */
export const AUDIT_ANCHOR_PREFIX = 'anchors/';

export const anchorKey = (chain: string, lastSeq: string): string => `${AUDIT_ANCHOR_PREFIX}${chain}/${lastSeq}.json`;
