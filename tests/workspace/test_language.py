"""Which language a page is in, and the header's switcher (docs/i18n.md)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bs4 import BeautifulSoup
from sqlmodel import col, select

from tests.client import HubClient, soup
from tests.factories import make_user
from workspace import formats, i18n
from workspace.models import OutboxEmail, User
from workspace.runtime import Runtime


def nav_texts(page: BeautifulSoup) -> list[str]:
    return [a.get_text(" ", strip=True) for a in page.select(".ss-nav__link")]


def switcher(page: BeautifulSoup) -> dict[str, tuple[str, str]]:
    """Each language the switcher offers: (element, its lang) by the text shown."""
    form = page.select_one("form.ss-language")
    assert form is not None
    return {
        item.get_text(strip=True): (item.name, str(item.get("lang")))
        for item in form.select(".ss-language__current, .ss-language__button")
    }


def test_english_is_the_default(client: HubClient) -> None:
    page = client.page("/")
    assert page.html["lang"] == "en"
    assert "Consultations" in nav_texts(page)
    assert switcher(page) == {"English": ("span", "en"), "Cymraeg": ("button", "cy")}


def test_accept_language_chooses_welsh(client: HubClient) -> None:
    response = client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    page = soup(response.text)
    assert page.html["lang"] == "cy"
    assert response.headers["Content-Language"] == "cy"
    assert "Accept-Language" in response.headers["Vary"]
    assert "Ymgynghoriadau" in nav_texts(page)
    assert switcher(page) == {"English": ("button", "en"), "Cymraeg": ("span", "cy")}


def test_accept_language_ranks_by_quality() -> None:
    assert i18n.best_accepted("en;q=0.4, cy;q=0.8") == "cy"
    assert i18n.best_accepted("fr, cy;q=0") == "en"
    assert i18n.best_accepted("de-DE;q=nonsense, cy") == "cy"
    assert i18n.best_accepted("") == "en"


def test_switching_remembers_the_choice_and_returns_to_the_page(client: HubClient) -> None:
    response = client.submit("/language", {"lang": "cy", "next": "/search?q=homes"})
    assert response.status_code == 303
    assert response.headers["location"] == "/search?q=homes"
    assert client.cookies.get("lang") == "cy"
    # The cookie wins over the browser's own preference.
    page = soup(client.get("/", headers={"Accept-Language": "en"}).text)
    assert page.html["lang"] == "cy"
    assert "Chwilio" in nav_texts(page)
    back = client.submit("/language", {"lang": "en", "next": "/"})
    assert back.status_code == 303
    assert client.page("/").html["lang"] == "en"


def test_switcher_sends_people_back_only_to_this_site(client: HubClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.submit("/language", {"lang": "cy", "next": target})
        assert response.headers["location"] == "/"


def test_switcher_form_names_the_page_it_returns_to(client: HubClient) -> None:
    page = client.page("/search?q=homes&lang=cy")
    form = page.select_one("form.ss-language")
    assert form["method"] == "post"
    assert form.select_one("input[name=next]")["value"] == "/search?q=homes"
    assert form.select_one("input[name=csrf_token]")["value"]


def test_an_unknown_language_is_refused_without_a_500(client: HubClient) -> None:
    response = client.submit("/language", {"lang": "fr", "next": "/"})
    assert response.status_code == 400
    assert "lang" not in client.cookies
    assert soup(response.text).select_one("h1") is not None


def test_switching_needs_the_csrf_token(client: HubClient) -> None:
    client.csrf_token()
    response = client.post("/language", data={"lang": "cy", "next": "/"})
    assert response.status_code == 403


def test_a_signed_in_persons_choice_is_saved_and_followed(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt, email="eleri@example.org")
    client.sign_in_as(user)
    client.submit("/language", {"lang": "cy", "next": "/"})
    with rt.db.read() as session:
        saved = session.get(User, user.id)
        assert saved is not None
        assert saved.language == "cy"
    # Another browser of theirs, without the cookie, follows the saved choice.
    other = HubClient(client.app)
    other.sign_in_as(user)
    assert other.page("/").html["lang"] == "cy"
    assert "Fy ngrwpiau" in nav_texts(other.page("/"))


def test_hreflang_alternates_name_each_language(client: HubClient) -> None:
    page = client.page("/search?q=homes")
    alternates = {
        link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')
    }
    assert set(alternates) == {"en", "cy"}
    assert alternates["cy"].endswith("/search?q=homes&lang=cy")
    assert client.page(alternates["cy"].removeprefix("http://testserver")).html["lang"] == "cy"


def test_cached_anonymous_pages_are_kept_per_language(client: HubClient, rt: Runtime) -> None:
    rt.page_cache.lifetime = rt.page_cache.lifetime.__class__(seconds=60)
    english = client.page("/")
    welsh = soup(client.get("/", headers={"Accept-Language": "cy"}).text)
    assert (english.html["lang"], welsh.html["lang"]) == ("en", "cy")


def test_dates_and_numbers_follow_the_language(rt: Runtime) -> None:
    moment = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with rt.catalogues.use("cy"):
        assert formats.day(date(2026, 12, 1)) == "1 Rhagfyr 2026"
        assert (
            formats.when(moment, "%A %-d %B %Y at %H:%M") == "Dydd Mawrth 1 Rhagfyr 2026 am 09:30"
        )
        assert formats.number(12345) == "12,345"
    assert formats.when(moment, "%A %-d %B %Y at %H:%M") == "Tuesday 1 December 2026 at 09:30"


def test_plurals_use_the_welsh_forms(rt: Runtime) -> None:
    with rt.catalogues.use("cy"):
        assert i18n.current_locale() == "cy"
        assert i18n.gettext("Sign in") == "Mewngofnodi"
        assert str(i18n.lazy_gettext("Sign out")) == "Allgofnodi"
    assert i18n.current_locale() == "en"
    assert i18n.ngettext("%(num)d comment", "%(num)d comments", 2) == "2 comments"
    assert i18n.gettext("100%% of %(n)s", n="them") == "100% of them"


def test_service_pages_have_welsh_default_texts(client: HubClient) -> None:
    page = soup(client.get("/cookies", headers={"Accept-Language": "cy"}).text)
    assert page.select_one("h1").get_text(strip=True) == "Cwcis"
    names = [
        cell.get_text(strip=True)
        for cell in page.select("#page-text table tbody tr td:first-child")
    ]
    assert names == ["ss_session", "ss_csrf", "ss_flash", "lang"]
    headers = [th.get_text(strip=True) for th in page.select("#page-text table thead th")]
    assert headers == ["Enw", "Beth yw ei bwrpas", "Pryd mae'n dod i ben"]


def test_mail_follows_the_recipients_saved_language(client: HubClient, rt: Runtime) -> None:
    user = make_user(rt, email="gwen@example.org")
    with rt.db.write() as unit:
        saved = unit.session.get(User, user.id)
        assert saved is not None
        saved.language = "cy"
        unit.session.add(saved)
    # Asked for from an English page: the mail is still in the owner's Welsh.
    client.submit("/account/password-reset", {"email": "gwen@example.org"})
    with rt.db.read() as session:
        mail = session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id).desc())).first()
    assert mail is not None
    assert mail.subject == "Ailosod eich cyfrinair Shared Space"
    assert mail.body.startswith("Helo ")


def _script_messages(page: BeautifulSoup) -> dict[str, object]:
    loaded = json.loads(str(page.body["data-messages"]))
    assert isinstance(loaded, dict)
    return loaded


def test_script_messages_follow_the_page_language(client: HubClient) -> None:
    """`<body data-messages>` is built once per language and kept: each page must still
    carry its own language's texts, with a plural table per CLDR category."""
    english = _script_messages(client.page("/"))
    welsh = _script_messages(soup(client.get("/?lang=cy").text))
    again = _script_messages(client.page("/?lang=en"))
    assert english == again
    assert english["newComment"] == "New comment."
    assert welsh["newComment"] != english["newComment"]
    assert set(english["newComments"]) == {"one", "other"}  # type: ignore[arg-type]
    assert set(welsh["newComments"]) == {"zero", "one", "two", "few", "many", "other"}  # type: ignore[arg-type]
