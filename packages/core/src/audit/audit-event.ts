import type { Interaction } from '../route.js';

/**
 * FHIR R4 AuditEvent for one API call (https://hl7.org/fhir/R4/auditevent.html). It names the
 * client, the user or patient context, the source IP, the resource by its server id, the
 * resources a search disclosed, and the platform's request id; never a token, a name or an NHI.
 *
 * A change (create, update, delete) is recorded twice: an intent record written before the data
 * is touched, and the outcome record once the call is answered, paired by the request id. Without transactions the data
 * write and the outcome record can be split by a fault; the intent record means no stored change
 * is ever without an audit record naming who made it.
 */

export interface AuditFacts {
  interaction: Interaction;
  resourceType?: string;
  /** Server-assigned id of the resource acted on, when there is one. */
  resourceId?: string;
  /** The HTTP status answered; absent on an intent record, written before the change is made. */
  status?: number;
  /** Stable error code when the call was refused. */
  errorCode?: string;
  clientId?: string;
  fhirUser?: string;
  patient?: string;
  sourceIp?: string;
  /**
   * The request id the platform assigned (API Gateway's, else Lambda's): intent and outcome
   * records of one call pair by it, a value the client cannot choose.
   */
  requestId: string;
  /** The client's Interaction-Id: kept as a detail for the client's own correlation, nothing more. */
  interactionId?: string;
  /** References of the resources a search disclosed (`Patient/<id>`, …). */
  disclosed?: readonly string[];
  recorded: string;
  observer: string;
}

export interface AuditEvent {
  resourceType: 'AuditEvent';
  type: { system: string; code: 'rest'; display: string };
  subtype: Array<{ system: string; code: string }>;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  /** Absent on an intent record: its outcome is the outcome record of the same interaction id. */
  outcome?: '0' | '4' | '8';
  outcomeDesc?: string;
  agent: Array<{
    type?: { coding: Array<{ system: string; code: string }> };
    who: { identifier?: { value: string }; reference?: string };
    requestor: boolean;
    network?: { address: string; type: '2' };
  }>;
  source: { observer: { display: string } };
  entity: Array<{
    what: { reference?: string; identifier?: { system: string; value: string } };
    role?: { system: string; code: string };
    detail?: Array<{ type: string; valueString: string }>;
  }>;
}

const ACTIONS: Record<Interaction, AuditEvent['action']> = {
  create: 'C', read: 'R', vread: 'R', update: 'U', delete: 'D', 'search-type': 'E', capabilities: 'E',
};

const REQUEST_ID_SYSTEM = 'https://api.example.health.nz/ns/request-id';
const DOMAIN_RESOURCE = { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4' } as const;
/** Marks the record written before a change is made (see above). */
export const AUDIT_INTENT = { system: 'https://api.example.health.nz/ns/audit-phase', code: 'intent' } as const;

function outcomeOf(status: number): NonNullable<AuditEvent['outcome']> {
  return status >= 500 ? '8' : status >= 400 ? '4' : '0';
}

export function auditEvent(facts: AuditFacts): AuditEvent {
  const agent: AuditEvent['agent'] = [{
    type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150' }] }, // Application
    who: { identifier: { value: facts.clientId ?? 'anonymous' } },
    requestor: !facts.fhirUser,
    ...(facts.sourceIp ? { network: { address: facts.sourceIp, type: '2' as const } } : {}),
  }];
  if (facts.fhirUser) agent.push({ who: { reference: facts.fhirUser }, requestor: true });
  if (facts.patient) agent.push({ who: { reference: `Patient/${facts.patient}` }, requestor: false });

  const entity: AuditEvent['entity'] = [];
  if (facts.resourceType) {
    entity.push({ what: { reference: facts.resourceId ? `${facts.resourceType}/${facts.resourceId}` : facts.resourceType }, role: DOMAIN_RESOURCE });
  }
  for (const reference of facts.disclosed ?? []) entity.push({ what: { reference }, role: DOMAIN_RESOURCE });
  entity.push({
    what: { identifier: { system: REQUEST_ID_SYSTEM, value: facts.requestId } },
    ...(facts.interactionId ? { detail: [{ type: 'Interaction-Id', valueString: facts.interactionId }] } : {}),
  });
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: facts.interaction }, ...(facts.status === undefined ? [AUDIT_INTENT] : [])],
    action: ACTIONS[facts.interaction],
    recorded: facts.recorded,
    ...(facts.status === undefined ? {} : { outcome: outcomeOf(facts.status) }),
    ...(facts.errorCode ? { outcomeDesc: facts.errorCode } : {}),
    agent,
    source: { observer: { display: facts.observer } },
    entity,
  };
}
