"""English complete (issue 20): every main page, rendered in English, has no Chinese left
but data.

After ``seed_demo --midyear``, a visitor and every demo role (and an expert seated on a
panel) open their main pages — the same pages the layout test visits
(``tests/browser/test_responsive.py``): the public navigation, the portal, the processes'
detail pages, each role's workbench, calendar, navigation links and the pages of its
waiting steps — and the pages those link to (detail pages, forms, confirmation pages: up to
150 a role). The Django test client is enough: the text is in the HTML.

What counts as *data* (names, titles, descriptions that people typed or the demo seeded in
Chinese) is decided against the database itself, not by marking templates: every text value
stored in any model (char, text, file and JSON fields, recursively) is collected, and from
each text node of a page (and each attribute people read: ``title``, ``placeholder``,
``aria-label``, ``alt``, ``data-confirm``, a button's ``value``) the stored values it contains
are removed — whole values only, cut at word boundaries (spaces, punctuation, a change
between Chinese and Latin script), so a label is not excused because some description
happens to contain the same two characters. One line of a stored text, and a stored value
cut short with "…", a part of a stored value between slashes (a price unit 元/户·年 shown
as ¥1,200.00/户·年) are data too, and so is a personal name masked for the public
(赵*龄). The platform's name 菜单 and the names of the languages in the language switch stay
Chinese on purpose. Whatever Chinese is left is an
untranslated interface string, and the test names the page and the text around it.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.utils import translation

from caidan.demo.data import ACCOUNTS
from tests.browser.test_responsive import SHARED_VIEWERS, _details, _own_pages, _shared_pages

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
HAN = re.compile(r"[\u4e00-\u9fff]")
# Chinese that stays in English on purpose: the platform's name (菜单 Caidan) and the
# language switch, which names each language in itself (简体中文; "Language 语言"); and any
# Chinese the English catalog itself keeps (search examples: "e.g. 养老 (elderly care)").
NAMES = {"菜单", "简体中文", "语言"}
PO_PATH = Path(settings.BASE_DIR) / "caidan" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def kept_in_english() -> set[str]:
    kept = set(NAMES)
    for entry in polib.pofile(str(PO_PATH)):
        for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
            kept.update(re.findall(r"[\u4e00-\u9fff]+", msgstr))
    return kept


MASKED = re.compile(r"[\u4e00-\u9fff]\*+[\u4e00-\u9fff]*")  # a masked personal name: 赵*龄
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm"}
SKIP_TAGS = {"script", "style", "template"}


# --- What the page says -----------------------------------------------------------------


class _Text(HTMLParser):
    """The text nodes of a page and the attributes people read, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self._skip += 1
        for name, value in attrs:
            if not value:
                continue
            if name in READ_ATTRIBUTES or (
                name == "value" and dict(attrs).get("type") in ("submit", "button", "reset")
            ):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def page_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(part.split()) for part in parser.parts]


# --- What the database holds ------------------------------------------------------------


def _strings(value, out: set[str]) -> None:
    if isinstance(value, str):
        if HAN.search(value):
            out.add(" ".join(value.split()))
            for line in value.splitlines():  # a text rendered with linebreaks
                if line.strip():
                    out.add(" ".join(line.split()))
            for part in value.split("/"):  # a unit 元/户·年 shown as ¥1,200.00/户·年
                if HAN.search(part):
                    out.add(part.strip())
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _strings(item, out)


TEXT_FIELDS = (models.CharField, models.TextField, models.FileField, models.JSONField)


def stored_strings() -> set[str]:
    """Every stored text value that has Chinese in it."""
    out: set[str] = set()
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields or model._meta.proxy:
            continue
        for row in model._base_manager.values_list(*fields).iterator():
            for value in row:
                if isinstance(value, str) and value[:1] in "[{":  # JSON kept as text
                    with contextlib.suppress(ValueError):
                        value = json.loads(value)
                _strings(value, out)
    return out


class Data:
    """Tells stored values (data) from interface text inside one text node."""

    def __init__(self, values: set[str]):
        self.values = values | kept_in_english()
        self.joined = "\x00".join(values)

    @staticmethod
    def _cuts(text: str) -> list[int]:
        cuts = [0]
        for i in range(1, len(text)):
            a, b = text[i - 1], text[i]
            if not a.isalnum() or not b.isalnum() or bool(HAN.match(a)) != bool(HAN.match(b)):
                cuts.append(i)
        cuts.append(len(text))
        return cuts

    def leftover(self, text: str) -> str:
        """The text with every stored value removed: '' when nothing Chinese is left."""
        if not CJK.search(text):
            return ""
        text = MASKED.sub(lambda m: " " * len(m.group(0)), text)
        if text in self.values:
            return ""
        if text.endswith(("…", "...")) and text.rstrip("…. ") in self.joined:
            return ""  # a stored value cut short (truncatechars)
        cuts = self._cuts(text)
        covered = [False] * len(text)
        for n, start in enumerate(cuts):
            if covered[start] if start < len(text) else True:
                continue
            for end in reversed(cuts[n + 1 :]):
                piece = text[start:end].strip()
                if piece and HAN.search(piece) and piece in self.values:
                    covered[start:end] = [True] * (end - start)
                    break
        rest = "".join(" " if c else ch for ch, c in zip(text, covered, strict=True))
        return rest if HAN.search(rest) else ""


# --- The pages --------------------------------------------------------------------------

NAV = re.compile(r"<nav\b.*?</nav>", re.S)
HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"]*)"')


def _nav_links(html: str) -> list[str]:
    match = NAV.search(html)
    return HREF.findall(match.group(0)) if match else []


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogs():
    call_command("compile_translations", stdout=io.StringIO())
    translation.trans_real._translations = {}
    translation.trans_real._default = None


LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#?]*)"')
# Links that are not pages to read: files, exports, feeds, the API, leaving or switching.
NOT_PAGES = ("/logout", "/i18n/", "download", "export", "/file", ".pdf", ".xlsx", ".json")
NOT_PAGES += (".ics", "/api/", "/static/", "/media/", "/feed", "/admin/")
LINKED_PER_ROLE = 150  # pages linked from a role's main pages, visited too


def _check(client, path, data, who, problems, failures, *, linked=False) -> str:
    """Check one page; its HTML ('' when it is not a page in English to read). A linked page
    this person may not open (403) is not this test's business."""
    response = client.get(path, follow=True)
    if response.status_code != 200:
        if not (linked and response.status_code in (403, 404)):
            failures.append(f"{who} {path}: HTTP {response.status_code}")
        return ""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    html = response.content.decode()
    if '<html lang="en">' not in html:
        failures.append(f"{who} {path}: not rendered in English")
    for text in page_texts(html):
        rest = data.leftover(text)
        if rest:
            problems[text].append(f"{who} {path}")
    return html


def _check_all(client, pages, data, who, problems, failures) -> None:
    """The main pages, then (up to LINKED_PER_ROLE) the pages they link to: the detail pages,
    forms and confirmation pages a person reaches in one click."""
    seen = set(pages)
    linked: list[str] = []
    for path in pages:
        for href in LINK.findall(_check(client, path, data, who, problems, failures)):
            if href not in seen and not any(part in href for part in NOT_PAGES):
                seen.add(href)
                linked.append(href)
    for path in linked[:LINKED_PER_ROLE]:
        _check(client, path, data, who, problems, failures, linked=True)


def test_every_main_page_in_english_has_no_chinese_but_data(client, world, login):
    call_command("seed_demo", "--midyear", verbosity=0)
    d = _details()
    data = Data(stored_strings())
    problems: dict[str, list[str]] = defaultdict(list)
    failures: list[str] = []

    public_nav = _nav_links(_english(client).get("/").content.decode())
    shared = _shared_pages(public_nav, d)
    _check_all(client, [*shared, "/login/"], data, "visitor", problems, failures)

    for username in [a.username for a in ACCOUNTS] + [d["seated_expert"]]:
        client.cookies.clear()
        user_client = _english(login(username))
        nav = _nav_links(user_client.get("/dashboard/").content.decode())
        pages = _own_pages(username, nav, public_nav, d)
        if username in SHARED_VIEWERS:
            pages += [p for p in shared if p not in pages]
        _check_all(user_client, pages, data, username, problems, failures)

    report = [
        f"{text!r}  ← {', '.join(sorted(set(where))[:3])}"
        + (f" (+{len(set(where)) - 3} more)" if len(set(where)) > 3 else "")
        for text, where in sorted(problems.items())
    ]
    assert not failures, "\n".join(failures)
    assert not report, f"{len(report)} untranslated text(s) in English pages:\n" + "\n".join(report)


# --- The detector itself ----------------------------------------------------------------


def test_data_is_stripped_whole_and_labels_are_not():
    data = Data({"阳光养老服务中心", "2026年居家养老服务采购", "为老人提供助浴、助餐服务。"})
    assert data.leftover("Bidder: 阳光养老服务中心") == ""
    assert data.leftover("2026年居家养老服务采购 · Evaluating") == ""
    assert data.leftover("2026年居家养老服务…") == ""  # a truncated title
    assert data.leftover("助浴") == "助浴"  # a label, though a stored value contains it
    # a label is not excused because a stored value contains it
    assert data.leftover("Status: 助浴服务 阳光养老服务中心").strip() == "Status: 助浴服务"
    assert data.leftover("阳光养老服务中心 的合同").strip() == "的合同"
    assert data.leftover("Contract of 阳光养老服务中心") == ""
    assert data.leftover("赵*龄 021****0007 · 菜单 Caidan") == ""
    assert page_texts(
        '<p title="提示">Hello <b>世界</b></p><script>var a = "脚本";</script>'
        '<form data-confirm="确定？"><input type="submit" value="提交"></form>'
    ) == ["提示", "Hello", "世界", "确定？", "提交"]


# --- API errors in the language of Accept-Language -----------------------------------------


def _api_error(client, method: str, path: str, language: str | None, **kwargs):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = getattr(client, method)(path, **headers, **kwargs)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_api_error_from_a_selector_follows_accept_language(client, db):
    path = "/api/v1/catalog/versions/current?on=1901-01-01"  # no catalog in force in 1901
    status, en = _api_error(client, "get", path, "en")
    assert (status, en["code"]) == (404, "no_current_version")
    assert en["message"] == "No catalog version is in force on this date."
    status, zh = _api_error(client, "get", path, "zh-hans")
    assert (status, zh["code"]) == (404, en["code"])
    assert zh["message"] == "该日期没有现行的目录版本。"
    # no header: the platform's language, Chinese; a language the platform lacks: Chinese too
    assert _api_error(client, "get", path, None)[1]["message"] == zh["message"]
    assert _api_error(client, "get", path, "fr-FR")[1]["message"] == zh["message"]
    assert _api_error(client, "get", path, "en-GB,en;q=0.8")[1]["message"] == en["message"]


def test_api_error_from_a_service_names_the_field_in_either_language(client, world, token_for):
    from caidan.catalog.models import CatalogVersion

    name = CatalogVersion.objects.order_by("id").first().name
    body = {"name": name, "effective_date": "2031-01-01"}
    for language, message in (
        ("en", f"A catalog version named “{name}” already exists."),
        ("zh-hans", f"已有名为“{name}”的目录版本。"),
    ):
        status, error = _api_error(
            client,
            "post",
            "/api/v1/catalog/versions",
            language,
            data=body,
            content_type="application/json",
            **token_for("admin"),
        )
        assert status == 400
        assert error == {"code": "duplicate", "message": message, "detail": {"field": "name"}}


def test_api_framework_errors_follow_accept_language(client, db):
    status, en = _api_error(client, "post", "/api/v1/catalog/versions", "en", data={})
    assert status == 401
    assert en["message"] == "Please log in, or give a valid API token in the request header."
    status, zh = _api_error(client, "post", "/api/v1/catalog/versions", "zh-hans", data={})
    assert zh["message"] == "请先登录，或在请求头中提供有效的 API 令牌。"
    status, en = _api_error(client, "get", "/api/v1/no-such-endpoint/", "en")
    assert (status, en["message"]) == (404, "The requested endpoint or object cannot be found.")


def test_api_input_check_names_the_field_in_either_language(client, world, token_for):
    """A refusal of the input layer (common.inputs): the field's title and the rule, both
    translated."""
    body = {"name": "  ", "effective_date": "2031-01-01"}
    messages = {}
    for language in ("en", "zh-hans"):
        status, error = _api_error(
            client,
            "post",
            "/api/v1/catalog/versions",
            language,
            data=body,
            content_type="application/json",
            **token_for("admin"),
        )
        assert (status, error["code"], error["detail"]["field"]) == (400, "invalid", "name")
        messages[language] = error["message"]
    assert messages == {"en": "Please fill in Version name.", "zh-hans": "请填写版本名称。"}


# --- Names the code itself gives (issue 20 leftovers) ----------------------------------------


def test_app_names_grades_and_record_names_in_english(world):
    """The apps' names (admin, audit log headings), the grade of an organization without one
    and the names of records the audit log shows are marked and translated."""
    from caidan.orgs.rules import grade_label
    from caidan.projects.models import Recusal

    configs = [c for c in apps.get_app_configs() if c.name.startswith("caidan.")]
    with translation.override("en"):
        names = {c.name: str(c.verbose_name) for c in configs}
        assert not {k: v for k, v in names.items() if HAN.search(v)}, names
        assert (grade_label(None), grade_label(4)) == ("No grade", "4A")
        assert str(Recusal(member_id=3, item_id=7)) == "3 recused from 7"
    with translation.override("zh-hans"):
        assert all(HAN.search(str(c.verbose_name)) for c in configs)
        assert grade_label(None) == "无等级"
        assert str(Recusal(member_id=3, item_id=7)) == "3 回避 7"
