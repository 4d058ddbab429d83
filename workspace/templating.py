"""Jinja2 environment and the one `render()` every page goes through.

With an `HX-Request` header and a named block, only that block is rendered (htmx
swaps it in); otherwise the whole page. Both come from the same template, so the
no-JavaScript page and the enhanced fragment can never disagree.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Iterator, KeysView, Mapping, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from jinja2 import (
    BaseLoader,
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    TemplateNotFound,
    pass_eval_context,
    select_autoescape,
)
from jinja2.bccache import Bucket
from jinja2.nodes import EvalContext
from jinja2_fragments import render_block
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from workspace import csrf, formats, i18n, jsmessages
from workspace.markdown import markup
from workspace.permissions import ANONYMOUS, Action, Role, Viewer, can


class FolderLoader(BaseLoader):
    """A template's name says where it lives: `consultations/comments/_comment.html` is
    `_comment.html` in the folder registered under the prefix `consultations/comments`
    (that sub-package's `templates/`). The longest registered prefix wins; the ground's
    shell (`base.html`, `macros.html`, `accounts/...`) is registered under "".
    """

    def __init__(self, folders: Mapping[str, Path]) -> None:
        self._loaders = {prefix: FileSystemLoader(path) for prefix, path in folders.items()}
        self._prefixes = sorted(folders, key=len, reverse=True)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        for prefix in self._prefixes:
            if not prefix or template.startswith(prefix + "/"):
                rest = template[len(prefix) + 1 :] if prefix else template
                return self._loaders[prefix].get_source(environment, rest)
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        return sorted(
            f"{prefix}/{name}" if prefix else name
            for prefix, loader in self._loaders.items()
            for name in loader.list_templates()
        )


class SharedCompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for every Environment of the process. A served
    worker builds one Environment and gains nothing, but each runtime the tests, the CLI
    and the benchmarks build would otherwise parse and compile every template it renders
    again (profiled: most of an in-process test's time). Jinja checks each entry against
    its template's source, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


# One per process: every Environment below is built with the same options, so the same
# source compiles to the same code whichever runtime asks.
COMPILED = SharedCompiledTemplates()


class TemplateGlobals(ChainMap[str, Any]):
    """A template's globals: its own (nearly always none) over the environment's.

    Jinja compares these keys with the importing page's on every `{% from ... import %}`
    and copies them into every included template's context. ChainMap answers each key
    through a generator over its maps; with no globals of its own this answers from the
    environment's dict directly (a tenth of a millisecond a page, issue 19)."""

    def __contains__(self, key: object) -> bool:
        own, shared = self.maps[0], self.maps[-1]
        return key in shared or key in own if len(self.maps) == 2 else super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.maps[-1]) if self._shared_only() else super().__iter__()

    def keys(self) -> KeysView[str]:
        return self.maps[-1].keys() if self._shared_only() else super().keys()

    def _shared_only(self) -> bool:
        return len(self.maps) == 2 and not self.maps[0]


class PagesEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals(d if d is not None else {}, self.globals)


def make_environment(folders: Mapping[str, Path], timezone: str) -> Environment:
    loaders: list[BaseLoader] = [
        # The GOV.UK macros import each other as "govuk_frontend_jinja/...".
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        FolderLoader(folders),
    ]
    env = PagesEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do", "jinja2.ext.i18n"],
        bytecode_cache=COMPILED,
        # Templates are part of the release, read once per process: checking every file a
        # page includes for changes cost a stat() each on every request (profiled, issue
        # 19). Restart the server after editing one.
        auto_reload=False,
    )
    # Newstyle: `_("Closes on %(date)s", date=...)`, escaped like any other variable,
    # translated into the language of the request being rendered (workspace/i18n.py).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext_raw, ngettext=i18n.ngettext_raw, newstyle=True
    )
    # `_()` straight to the translation: Jinja's alias resolves `gettext` and calls it
    # through the context twice more, on each of a page's thirty-odd strings (issue 19).
    env.globals["_"] = env.globals["gettext"] = newstyle_gettext
    zone = ZoneInfo(timezone)
    env.filters["london"] = lambda value, fmt=formats.DEFAULT_WHEN: formats.when(value, fmt, zone)
    env.filters["day"] = lambda value: formats.day(value, zone)
    env.filters["number"] = formats.number
    env.filters["markup"] = markup
    env.globals.update(
        shared_part=_shared_parts(env),
        can=can,
        Action=Action,
        Role=Role,
        current_locale=i18n.current_locale,
        js_messages=jsmessages.messages_json,
        LANGUAGES=i18n.LANGUAGES,
    )
    return env


@pass_eval_context
def newstyle_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """Jinja's newstyle `gettext` in one call: the translation, marked safe where the
    template escapes, then formatted with (escaped) `variables`. Jinja formats every
    string, so `%%` is a literal `%` even without variables; a string with no `%` comes
    out of formatting unchanged, and skips it."""
    found = i18n.gettext_raw(string)
    translated = Markup(found) if eval_ctx.autoescape else found  # noqa: S704 - catalogue text
    if variables or "%" in found:
        return translated % variables
    return translated


def _shared_parts(env: Environment) -> Callable[[str], Markup]:
    """`shared_part(name)` for templates: a template that reads nothing of the request
    (the footer), rendered once per language and catalogue and kept with this
    environment. Its text is the same on every page, so rendering it per request only
    cost time (issue 19)."""
    kept: dict[tuple[i18n.Active, str], Markup] = {}

    def shared_part(name: str) -> Markup:
        key = (i18n.active(), name)
        found = kept.get(key)
        if found is None:
            found = kept[key] = Markup(env.get_template(name).render())  # noqa: S704 - autoescaped
        return found

    return shared_part


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    env: Environment = request.app.state.runtime.templates
    ctx = base_context(request)
    ctx.update(context or {})
    tpl = env.get_template(template)
    if block and request.headers.get("HX-Request") == "true":
        body = render_block(env, template, block, ctx)
    else:
        body = tpl.render(ctx)
    response = HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    response.headers["Content-Language"] = i18n.current_locale()
    current = request.headers.get("HX-Current-URL", "")
    if status_code >= 400 and request.headers.get("HX-Boosted") == "true" and current:
        # A form sent in place and answered with its errors: the address stays the page's,
        # never the form's action (which answers POST only).
        response.headers["HX-Replace-Url"] = current
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, notice: str = "") -> RedirectResponse:
    """Post/Redirect/Get, carrying a one-time notice for the next page in a cookie
    (never in the URL, where anyone could write a fake one into a link)."""
    response = RedirectResponse(url, status_code=303)
    if notice:
        response.set_cookie(FLASH_COOKIE, quote(notice), max_age=60, httponly=True, samesite="lax")
    return response


def base_context(request: Request) -> dict[str, Any]:
    viewer: Viewer = getattr(request.state, "viewer", ANONYMOUS)
    return {
        "request": request,
        "viewer": viewer,
        "csrf_token": csrf.token_for(request),
        "flash": _flash(request),
    }


FLASH_COOKIE = "ss_flash"


def _flash(request: Request) -> str:
    return unquote(request.cookies.get(FLASH_COOKIE, ""))[:300]
