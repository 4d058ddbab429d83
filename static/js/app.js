// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// htmx requests are unsafe requests like any form post: send the CSRF token as a header.
document.body.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrfToken();
});

// Components swapped in by htmx need the same initialisation as those in the first load.
initAll();
document.body.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.target }));

export { csrfToken };
