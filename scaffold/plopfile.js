/**
 * `npm run new:endpoint -- --resource Condition --interactions create,read,update,delete,search`:
 * a new FHIR resource type in a patient's compartment (through `subject`), with the chosen
 * interactions (any of create, read, update, delete, search). It writes the resource schema
 * (create, and update when chosen; and registers the type with the repository), one route per
 * interaction in the manifest, a one-line handler per route built on the shared handlers in
 * `packages/functions/src/resource-handlers.ts`, a test of the new endpoints, and the local
 * clients' scopes, then regenerates the routes' validators (`npm run validators`). Everything else (local gateway, infra, OpenAPI, CapabilityStatement, the
 * policy and security suites) reads the manifest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The interactions a generated endpoint may have, with their SMART permission, in manifest order
 * (which is SMART's `cruds` order, so the chosen letters read as a scope).
 */
const INTERACTIONS = { create: 'c', read: 'r', update: 'u', delete: 'd', search: 's' };
/** Types the repository or the manifest already treats specially. */
const RESERVED = ['Patient', 'Observation', 'AuditEvent', 'Bundle', 'OperationOutcome', 'CapabilityStatement'];

/** Lines in the files the generator extends: it inserts above them. */
const ROUTE_MARKER = /^ {2}\/\/ new:endpoint inserts generated routes above this line\./m;
const EXAMPLE_MARKER = /^ {2}\/\/ new:endpoint inserts generated examples above this line\./m;
const IMPORT_MARKER = /^\/\/ new:endpoint inserts generated imports above this line\./m;
/** The end of a file that ends with a newline. */
const FILE_END = /\n$/;

/** @param {string} value */
const interactionList = (value) => [...new Set(String(value).split(',').map((part) => part.trim()).filter(Boolean))];

/** @param {string} root */
function validateResource(root) {
  /** @param {string} value */
  return (value) => {
    if (!/^[A-Z][A-Za-z]{1,39}$/.test(value)) return 'resource: a FHIR resource type name, e.g. Condition';
    if (RESERVED.includes(value)) return `resource: ${value} already exists`;
    const manifest = readFileSync(resolve(root, 'packages/functions/src/routes.ts'), 'utf8');
    if (manifest.includes(`resourceType: '${value}'`)) return `resource: the manifest already has ${value} routes`;
    return true;
  };
}

/** @param {string} value */
function validateInteractions(value) {
  const chosen = interactionList(value);
  const unknown = chosen.filter((name) => !(name in INTERACTIONS));
  if (chosen.length === 0 || unknown.length > 0) return `interactions: a comma-separated subset of ${Object.keys(INTERACTIONS).join(',')}`;
  return true;
}

/** @param {import('plop').NodePlopAPI} plop */
export default function scaffold(plop) {
  const root = resolve(plop.getPlopfilePath(), '..');
  plop.setHelper('lowerFirst', (/** @type {string} */ text) => text.charAt(0).toLowerCase() + text.slice(1));
  // Like plop's `modify`, but a pattern that matches nothing fails the run instead of passing silently.
  plop.setActionType('extend', (answers, config) => {
    const text = readFileSync(config.path, 'utf8');
    if (!config.pattern.test(text)) throw new Error(`${config.path}: the line to extend is missing (${config.pattern})`);
    const template = config.templateFile ? readFileSync(config.templateFile, 'utf8') : config.template;
    writeFileSync(config.path, text.replace(config.pattern, plop.renderString(template, { ...config.data, ...answers })));
    return config.path;
  });
  // The new routes' validators are compiled now, as `npm run validators` does: handlers import them.
  plop.setActionType('validators', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'packages/middleware/src/request-validation/write-validators.ts'], { cwd: root, stdio: 'pipe' });
    return 'packages/middleware/src/request-validation/generated/';
  });

  plop.setGenerator('endpoint', {
    description: 'A FHIR resource in a patient compartment, with any of create, read, update, delete and search endpoints',
    prompts: [
      { type: 'input', name: 'resource', message: 'FHIR resource type (PascalCase)', validate: validateResource(root) },
      {
        type: 'input', name: 'interactions', message: `Interactions (${Object.keys(INTERACTIONS).join(',')})`,
        default: 'read,search,create', validate: validateInteractions,
      },
    ],
    actions: (answers = {}) => {
      const chosen = interactionList(answers.interactions);
      const data = {
        ...Object.fromEntries(Object.keys(INTERACTIONS).map((name) => [name, chosen.includes(name)])),
        // The chosen SMART letters; the readers' share is the r and s of them.
        letters: Object.entries(INTERACTIONS).map(([name, letter]) => (chosen.includes(name) ? letter : '')).join(''),
        // The schemas the routes use: `<type>CreateSchema`, `<type>UpdateSchema`.
        schemaKinds: [chosen.includes('create') && 'Create', chosen.includes('update') && 'Update'].filter(Boolean),
      };
      data.readLetters = data.letters.replace(/[^rs]/g, '');
      // What the generated test needs: stored resources to work on, the note to look for.
      data.seeds = data.read || data.update || data.delete || data.search;
      data.checksNote = data.create || data.read;
      const template = (name) => resolve(root, 'scaffold/templates', name);
      // A type that can be read can also be read by version (vread), which Location and ETag point at.
      const handlers = [...Object.keys(INTERACTIONS), 'vread'].filter((name) => chosen.includes(name === 'vread' ? 'read' : name)).map((name) => ({
        type: 'add', path: resolve(root, `packages/functions/src/handlers/{{kebabCase resource}}-${name}.ts`), templateFile: template(`handler-${name}.ts.hbs`),
      }));
      return [
        { type: 'add', path: resolve(root, 'packages/core/src/fhir/{{kebabCase resource}}.ts'), templateFile: template('resource-schema.ts.hbs') },
        { type: 'extend', path: resolve(root, 'packages/core/src/index.ts'), pattern: FILE_END, template: "\nexport * from './fhir/{{kebabCase resource}}.js';\n" },
        { type: 'extend', path: resolve(root, 'packages/functions/src/routes.ts'), pattern: IMPORT_MARKER, templateFile: template('routes-import.ts.hbs') },
        { type: 'extend', path: resolve(root, 'packages/functions/src/routes.ts'), pattern: ROUTE_MARKER, templateFile: template('routes-entries.ts.hbs') },
        ...handlers,
        { type: 'add', path: resolve(root, 'packages/functions/src/testing/examples/{{kebabCase resource}}.ts'), templateFile: template('example.ts.hbs') },
        { type: 'extend', path: resolve(root, 'packages/functions/src/testing/resource-examples.ts'), pattern: IMPORT_MARKER, templateFile: template('example-import.ts.hbs') },
        { type: 'extend', path: resolve(root, 'packages/functions/src/testing/resource-examples.ts'), pattern: EXAMPLE_MARKER, templateFile: template('example-entry.ts.hbs') },
        { type: 'add', path: resolve(root, 'packages/functions/src/handlers/{{kebabCase resource}}.test.ts'), templateFile: template('handler-test.ts.hbs') },
        ...localScopeActions(root, data),
        { type: 'validators' },
      ].map((action) => ({ ...action, data, abortOnFail: true }));
    },
  });
}

/**
 * The local issuer's clients get the new type's scopes: the clinical client every letter, the
 * reader and the SMART app the read and search letters (when there are any).
 *
 * @param {string} root
 * @param {{ letters: string, readLetters: string }} data
 */
function localScopeActions(root, data) {
  const path = resolve(root, 'packages/local/src/issuer-clients.ts');
  if (!existsSync(path)) return [];
  const scope = (client, text) => ({ type: 'extend', path, pattern: new RegExp(`(\\n\\s+${client}: '[^']*)'`), template: `$1 ${text}'` });
  return [
    scope('clinical', 'system/{{resource}}.{{letters}}'),
    ...(data.readLetters ? [
      scope('reader', 'system/{{resource}}.{{readLetters}}'),
      scope('smartScopes', 'patient/{{resource}}.{{readLetters}} user/{{resource}}.{{readLetters}}'),
    ] : []),
  ];
}
