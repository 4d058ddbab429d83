"""The template environment's faster parts behave exactly as Jinja's own (issue 19):
`_()` called straight, and template globals answered from the environment's dict."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from workspace import catalogues, i18n
from workspace.i18n import Catalogues
from workspace.templating import make_environment

CASES = [
    '{{ _("Plain text") }}',
    '{{ _("Hello %(name)s", name="<b>Ann</b>") }}',
    # "%%" is a literal "%": formatted even without variables, as Jinja does.
    '{{ _("Literal %%(name)s and 100%% stay as written") }}',
    '{% autoescape false %}{{ _("Hello %(name)s", name="<b>Ann</b>") }}{% endautoescape %}',
    '{% autoescape false %}{{ _("Half %% of it") }}{% endautoescape %}',
    "{% trans count=3 %}{{ count }} reply & more{% endtrans %}",
    "{% trans %}Literal <tag> & 50%{% endtrans %}",
    '{{ gettext("Called by its long name %(n)s", n=2) }}',
]


def catalogue_folders() -> list[Path]:
    return [f for name in catalogues.PACKAGES if (f := i18n.locale_folder(name)) is not None]


def jinja_own() -> Environment:
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext_raw, ngettext=i18n.ngettext_raw, newstyle=True
    )
    return env


@pytest.fixture
def ours(tmp_path: Path) -> Environment:
    return make_environment({"": tmp_path}, "Europe/London")


@pytest.mark.parametrize("source", CASES)
def test_gettext_renders_as_jinjas_newstyle_gettext(ours: Environment, source: str) -> None:
    expected = jinja_own().from_string(source).render()
    assert ours.from_string(source).render() == expected


def test_gettext_translates_into_the_active_language(ours: Environment) -> None:
    source = '{{ _("Sign out") }} {{ _("Closes %(closes)s (UK time).", closes="<today>") }}'
    with Catalogues(catalogue_folders()).use("cy"):
        welsh = ours.from_string(source).render()
        expected = jinja_own().from_string(source).render()
    assert welsh == expected
    assert "Sign out" not in welsh
    assert "&lt;today&gt;" in welsh


def test_template_globals_overlay_and_follow_the_environment(ours: Environment) -> None:
    own = ours.from_string("{{ colour }} {{ size }}", globals={"colour": "green"})
    ours.globals["size"] = "large"  # added after the template was loaded
    assert own.render() == "green large"
    assert "colour" in own.globals
    assert "size" in own.globals
    assert set(own.globals.keys()) >= {"colour", "size", "_"}
    plain = ours.from_string("{{ size }}")
    assert "size" in plain.globals
    assert "colour" not in plain.globals
    assert plain.render() == "large"


def test_imported_macros_see_the_importing_templates_globals(tmp_path: Path) -> None:
    env = make_environment({"": tmp_path}, "Europe/London")
    env.loader = DictLoader(
        {
            "macros.html": "{% macro shout() %}{{ word }}!{% endmacro %}",
            "page.html": '{% from "macros.html" import shout %}{{ shout() }}',
        }
    )
    env.globals["word"] = "hello"
    assert env.get_template("page.html").render() == "hello!"
    page = env.get_template("page.html", globals={"word": "own"})
    assert page.render() == "hello!"  # as in Jinja: imports see the environment's globals
