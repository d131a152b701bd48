// Draw every chart of the page with the inline Vega bundle (window.vegaEmbed).
// Each chart is a <div data-spec="ID"> whose spec is the JSON in <script id="ID">.
// A drawn chart gets data-rendered="1"; one that fails shows why and gets data-failed="1".
const options = JSON.parse(document.getElementById("embed-options").textContent);
for (const el of document.querySelectorAll("[data-spec]")) {
  const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  window
    .vegaEmbed(el, spec, options)
    .then(() => {
      el.dataset.rendered = "1";
    })
    .catch((err) => {
      el.dataset.failed = "1";
      el.textContent = String(err);
    });
}
