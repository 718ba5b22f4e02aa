export { openApiDocument, openApiJson, defaultOpenApiOptions, FHIR_JSON } from './document.js';
export type { OpenApiDocument, OpenApiOptions } from './document.js';
export { routeErrorCodes } from './route-errors.js';
export { docsPage, DOCS_CSP, PAGE_HEADERS } from './docs-page.js';
export type { DocsPage, DocsAsset } from './docs-page.js';
export { documentationFiles, DOCS_PATH, OPENAPI_PATH } from './documentation-files.js';
export type { DocumentationFile } from './documentation-files.js';
