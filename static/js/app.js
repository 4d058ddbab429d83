// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";
import { message } from "/static/js/messages.js";

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

// Wide tables scroll inside their own region (WCAG 1.4.10 reflow): a focusable, named
// region so keyboard users can scroll it, and a hint shown only when it does overflow.
const scrollHint = message("scrollHint");
function wrapTables(scope) {
  for (const table of scope.querySelectorAll("table.govuk-table")) {
    if (table.parentElement?.classList.contains("ss-table-scroll")) continue;
    const region = document.createElement("div");
    region.className = "ss-table-scroll";
    region.setAttribute("role", "region");
    region.tabIndex = 0;
    const caption = table.querySelector("caption")?.textContent?.trim();
    const labelledBy = table.getAttribute("aria-labelledby");
    if (labelledBy) region.setAttribute("aria-labelledby", labelledBy);
    else region.setAttribute("aria-label", caption || "Table");
    table.before(region);
    region.append(table);
    const hint = document.createElement("p");
    hint.className = "govuk-body-s ss-muted ss-table-scroll__hint";
    hint.textContent = scrollHint;
    region.after(hint);
  }
  markOverflow();
}
function markOverflow() {
  for (const region of document.querySelectorAll(".ss-table-scroll")) {
    region.classList.toggle("ss-table-scroll--overflows", region.scrollWidth > region.clientWidth + 1);
  }
}
wrapTables(document);
window.addEventListener("resize", markOverflow);
document.body.addEventListener("htmx:afterSettle", (event) => wrapTables(event.target));
