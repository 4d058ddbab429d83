"""A small driver over a Playwright page: navigate like a person, audit every page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ConsoleMessage, Page, Response

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# What axe judges, page by page, without the words: each element's tag, classes, role,
# type, ARIA and labelling attributes, and whether it holds text of its own; once for
# the page's <main> and once for its frame (everything else: header, navigation,
# footer). A page whose main and frame have both passed axe before, on any page, is
# not audited again: a second visit, or the same page seen by a second role with the
# same controls and a header that passed elsewhere. axe was half of the browser tests'
# time; every page with anything new on it is still audited whole.
OUTLINE = """() => {
  const main = document.querySelector('main');
  const outline = (elements) => {
    const parts = [];
    for (const e of elements) {
      const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      const attrs = [...e.attributes]
        .filter(a => /^(aria-|role$|type$|alt$|title$|lang$|for$|tabindex$|hidden$|href$)/
          .test(a.name))
        .map(a => a.name + (/^(role|type|lang|aria-(hidden|live|current|expanded))$/
          .test(a.name) ? '=' + a.value : (a.value ? '' : '=')))
        .join(',');
      parts.push(e.tagName + '.' + e.className + '[' + attrs + ']' + (own ? 't' : ''));
    }
    const all = parts.join('|');
    let h = 0;
    for (let i = 0; i < all.length; i++) h = (Math.imul(31, h) + all.charCodeAt(i)) | 0;
    return h + ':' + all.length;
  };
  const everything = [...document.querySelectorAll('html, head > title, body *')];
  const inMain = main ? [main, ...main.querySelectorAll('*')] : [];
  const inside = new Set(inMain);
  return ['frame ' + document.title.length + outline(everything.filter(e => !inside.has(e))),
          'main ' + outline(inMain)];
}"""
_audited_outlines: set[str] = set()


class AccessibilityError(AssertionError):
    pass


class Hub:
    def __init__(self, page: Page, base_url: str, *, audit: bool = True) -> None:
        self.page = page
        self.base_url = base_url
        self.audit_enabled = audit
        self.console_errors: list[str] = []
        self.audited: set[str] = set()
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium logs every 4xx as "Failed to load resource", including the 400/422 of a
        # form re-rendered with its errors, which is intended. Failed sub-resources are
        # caught by _on_response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            # A form sent in place by htmx and answered 400/422 with its error summary is
            # intended, as it is for a document.
            in_place = response.request.headers.get("hx-request") == "true"
            if not (in_place and response.status in (400, 409, 422)):
                self.console_errors.append(f"{response.status} {response.url}")

    def goto(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None, path
        assert response.ok, (path, response.status)
        self.audit()
        return self.page

    def click_and_wait(self, selector: str, **kwargs: Any) -> Page:
        """Click something that loads a new page, then audit that page."""
        with self.page.expect_navigation():
            self.page.locator(selector, **kwargs).first.click()
        self.audit()
        return self.page

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/account/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.click_and_wait("form button[type=submit]:has-text('Sign in')")

    def audit(self) -> None:
        """Run axe-core on the current page; fail on any WCAG 2.2 A/AA violation."""
        if not self.audit_enabled:
            return
        self.audited.add(self.page.url)
        outlines = set(self.page.evaluate(OUTLINE))
        if outlines <= _audited_outlines:
            return
        # Loaded by URL from our own origin, so the strict CSP allows it.
        self.page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
        result = self.page.evaluate(
            # Only violations are read: collecting every passing node made axe half as slow again.
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
            "resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in result["violations"]
        ]
        if not violations:
            _audited_outlines.update(outlines)
        else:
            raise AccessibilityError(f"{self.page.url}:\n" + "\n".join(violations))

    def assert_no_console_errors(self) -> None:
        assert self.console_errors == [], self.console_errors
