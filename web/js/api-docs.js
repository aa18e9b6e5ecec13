// Starts Swagger UI on /docs (api/routes/api_docs.py). A file rather than the inline script FastAPI
// writes, so that the page's Content-Security-Policy can refuse all inline script. The options come from
// the page's JSON block (data, never run).

const options = JSON.parse(document.getElementById("swagger-ui-options").textContent);
window.ui = SwaggerUIBundle({
  ...options,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
