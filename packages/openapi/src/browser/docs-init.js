/* global document, SwaggerUIBundle */
// Starts Swagger UI on the docs page. It is a file, not an inline script, so the page's CSP can
// refuse all inline code. The document is read-only here: no "Try it out", so no token is ever
// typed into a web page (call the API with curl or a client instead).
const root = document.getElementById('swagger-ui');
SwaggerUIBundle({
  url: root.dataset.specUrl,
  domNode: root,
  supportedSubmitMethods: [],
  validatorUrl: 'none',
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
});
