/**
 * A valid create body of each generated resource type (those in a patient's compartment made by
 * `npm run new:endpoint`), keyed by type, so that suites which walk the route manifest can
 * seed and call the routes of types they do not know by name.
 */
// new:endpoint inserts generated imports above this line.

export const generatedExamples: Record<string, (patientId: string) => Record<string, unknown>> = {
  // new:endpoint inserts generated examples above this line.
};
