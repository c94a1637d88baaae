"""Chinese first, English available: every string marked for translation has English, and
the language switch (cookie, ``/i18n/setlang/``) renders the pages in English.

The msgids are the Chinese source strings; the English is in
``caidan/locale/en/LC_MESSAGES/django.po``. ``.mo`` files are build artefacts, so this module
compiles the catalogs itself and works under a bare ``pytest``.
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import engines
from django.template.base import FilterExpression, Node, NodeList, Variable
from django.template.smartif import TokenBase
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils.functional import Promise
from django.utils.translation import trans_real

CAIDAN = Path(__file__).resolve().parents[2] / "caidan"
PO_PATH = CAIDAN / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]")
# `{% translate "…" %}` output is not escaped, and some strings land inside HTML attributes
# or JavaScript string literals: translations use typographic quotes instead of these.
UNSAFE_CHARS = "\"'<>&"

Key = tuple[str | None, str, str | None]  # (msgctxt, msgid, msgid_plural)


def _reset_translation_caches() -> None:
    gettext_module._translations.clear()  # the stdlib caches parsed .mo files by path
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogs():
    call_command("compile_translations", stdout=io.StringIO())
    _reset_translation_caches()
    yield
    _reset_translation_caches()


# --- What is marked for translation -------------------------------------------------------


def _template_files() -> list[Path]:
    return sorted(
        path
        for path in CAIDAN.rglob("*")
        if path.is_file() and "templates" in path.relative_to(CAIDAN).parts[:-1]
    )


def _literal(expression) -> str | None:
    var = getattr(expression, "var", None)
    if isinstance(var, Variable) and isinstance(var.literal, str):
        return str(var.literal)
    return None


def _template_keys(source: str) -> set[Key]:
    """The msgids Django will look up when rendering ``source``: found by walking the
    parsed template (so ``trimmed``, ``context``, ``%`` doubling and ``{{ var }}`` →
    ``%(var)s`` come out exactly as at render time)."""
    nodelist = engines["django"].from_string(source).template.nodelist
    keys: set[Key] = set()
    seen: set[int] = set()

    def visit(obj) -> None:
        if id(obj) in seen or obj is None or isinstance(obj, str | int | float | bool):
            return
        seen.add(id(obj))
        if isinstance(obj, Promise):  # a constant _("…") is resolved to gettext_lazy(…) at parse
            _unpickle, (func, args, _kw, *_types) = obj.__reduce__()
            if func.__name__ == "gettext" and len(args) == 1:
                keys.add((None, args[0], None))
            elif func.__name__ == "pgettext" and len(args) == 2:
                keys.add((args[0], args[1], None))
            return
        if isinstance(obj, Variable):
            if obj.translate and isinstance(obj.literal, str):  # _("…") in a variable/argument
                keys.add((obj.message_context, str(obj.literal).replace("%", "%%"), None))
            return
        if isinstance(obj, FilterExpression):
            visit(obj.var)
            for _func, args in obj.filters:
                for _is_lookup, arg in args:
                    visit(arg)
            return
        if isinstance(obj, list | tuple | NodeList):
            for item in obj:
                visit(item)
            return
        if isinstance(obj, dict):
            for item in obj.values():
                visit(item)
            return
        if isinstance(obj, TranslateNode):
            msgid = _literal(obj.filter_expression)
            if msgid is not None:  # `{% translate label %}` is checked where label is defined
                context = _literal(obj.message_context) if obj.message_context else None
                keys.add((context, msgid.replace("%", "%%"), None))
        if isinstance(obj, BlockTranslateNode):
            context = _literal(obj.message_context) if obj.message_context else None
            singular, _vars = obj.render_token_list(obj.singular)
            plural = obj.render_token_list(obj.plural)[0] if obj.plural else None
            keys.add((context, singular, plural))
        if isinstance(obj, Node | TokenBase):
            for name, value in vars(obj).items():
                if name not in ("origin", "token"):
                    visit(value)

    visit(nodelist)
    return keys


def _template_keys_by_regex(source: str) -> set[str]:
    """A cruder second opinion, to catch the walker above missing a kind of node."""
    literals = re.findall(r"""{%\s*trans(?:late)?\s+(?:"([^"]*)"|'([^']*)')""", source)
    for tag in re.findall(r"{{.*?}}|{%.*?%}", source, re.S):
        literals += re.findall(r"""(?<![\w.])_\((?:"([^"]*)"|'([^']*)')\)""", tag)
    found = {(double or single).replace("%", "%%") for double, single in literals}
    for body in re.findall(
        r"{%\s*blocktrans(?:late)?\s*%}(.*?){%\s*endblocktrans(?:late)?\s*%}", source, re.S
    ):
        found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.replace("%", "%%")))
    return found


_GETTEXT_ARGS = {
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}


def _python_keys(source: str) -> set[Key]:
    """gettext-family calls with literal arguments (``_``/any alias imported from
    ``django.utils.translation``, or ``translation.gettext(…)``)."""
    tree = ast.parse(source)
    functions: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in _GETTEXT_ARGS:
                    functions[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            modules.update(a.asname or a.name for a in node.names if a.name == "translation")
        elif isinstance(node, ast.Import):
            modules.update(
                a.asname for a in node.names if a.name == "django.utils.translation" and a.asname
            )
    keys: set[Key] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in functions:
            name = functions[func.id]
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
            and func.attr in _GETTEXT_ARGS
        ):
            name = func.attr
        else:
            continue
        roles = _GETTEXT_ARGS[name]
        values = dict(zip(roles, node.args, strict=False))
        if not all(isinstance(values.get(r), ast.Constant) for r in roles):
            continue  # not a literal: nothing to check statically
        literal = {r: values[r].value for r in roles}
        keys.add((literal.get("context"), literal["msgid"], literal.get("plural")))
    return keys


def _nav_labels() -> set[str]:
    """Labels in context_processors' (url name, label) pairs; base.html translates them."""
    tree = ast.parse((CAIDAN / "accounts" / "context_processors.py").read_text(encoding="utf-8"))
    labels = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = node.elts
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and re.fullmatch(r"[\w-]+:[\w-]+", first.value)
                and isinstance(second, ast.Constant)
                and isinstance(second.value, str)
            ):
                labels.add(second.value)
    return labels


def _marked_strings() -> dict[Key, list[str]]:
    """Every string marked for translation in caidan/, with where it is used."""
    found: dict[Key, list[str]] = {}
    for path in _template_files():
        rel = path.relative_to(CAIDAN.parent).as_posix()
        source = path.read_text(encoding="utf-8")
        keys = _template_keys(source)
        missed = _template_keys_by_regex(source) - {msgid for _ctx, msgid, _pl in keys}
        assert not missed, f"{rel}: the template walker missed {sorted(missed)}"
        for key in keys:
            found.setdefault(key, []).append(rel)
    for path in sorted(CAIDAN.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(CAIDAN).parts):
            continue
        rel = path.relative_to(CAIDAN.parent).as_posix()
        for key in _python_keys(path.read_text(encoding="utf-8")):
            found.setdefault(key, []).append(rel)
    for label in _nav_labels():
        found.setdefault((None, label, None), []).append("caidan/accounts/context_processors.py")
    return found


def _catalog() -> polib.POFile:
    return polib.pofile(str(PO_PATH), encoding="utf-8", check_for_duplicates=True)


# --- The catalog -----------------------------------------------------------------------------


def test_scanners_find_the_known_strings():
    found = {msgid for _ctx, msgid, _plural in _marked_strings()}
    assert {"首页", "工作台", "审计日志", "辖区设置", "工作日历", "通知"} <= _nav_labels()
    assert {
        "问需于民",
        "跳到正文",
        "暂无通知。截止期限临近、审批结果、任务分配等消息会出现在这里，并同时发送到您登记的邮箱。",
    } <= found
    assert "确定删除 %(date)s 的设置？" in found  # blocktranslate with a variable
    assert "当前角色无权访问此页面。" in found  # _("…") as a filter argument
    assert _template_keys(
        "{% load i18n %}{% blocktranslate trimmed %}\n  甲\n  乙 {{ n }}%\n{% endblocktranslate %}"
    ) == {(None, "甲 乙 %(n)s%%", None)}
    assert _python_keys(
        "from django.utils.translation import gettext_lazy as _, pgettext\n"
        "A = _('甲')\nB = pgettext('月份', '五月')\nC = _(name)\n"
    ) == {(None, "甲", None), ("月份", "五月", None)}


def test_catalog_header():
    catalog = _catalog()
    assert catalog.metadata["Language"] == "en"
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert catalog.metadata["Plural-Forms"].startswith("nplurals=2;")


def test_every_marked_string_has_english():
    """Marking a new string without adding its English to django.po fails the build."""
    entries = {(e.msgctxt, e.msgid): e for e in _catalog() if not e.obsolete}
    problems = []
    for (context, msgid, plural), where in sorted(_marked_strings().items(), key=str):
        entry = entries.get((context, msgid))
        label = f"{msgid!r}" + (f" (context {context!r})" if context else "")
        label += f" — used in {', '.join(sorted(set(where)))}"
        if entry is None:
            problems.append(f"missing: {label}")
        elif entry.fuzzy or not entry.translated():
            problems.append(f"untranslated or fuzzy: {label}")
        elif (entry.msgid_plural or None) != plural:
            problems.append(f"plural form differs: {label}")
    report = "\n".join(problems)
    assert not problems, f"{len(problems)} string(s) need English in {PO_PATH}:\n{report}"


def test_translations_keep_placeholders_and_are_safe_to_embed():
    problems = []
    for entry in _catalog():
        if entry.obsolete or not entry.translated():
            continue
        msgstrs = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for msgstr in msgstrs:
            if sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"placeholders differ: {entry.msgid!r} → {msgstr!r}")
            unsafe = {c for c in UNSAFE_CHARS if c in msgstr and c not in entry.msgid}
            if unsafe:
                problems.append(f"use typographic quotes, not {sorted(unsafe)}: {msgstr!r}")
            if msgstr.strip() != msgstr and entry.msgid.strip() == entry.msgid:
                problems.append(f"stray whitespace: {msgstr!r}")
    assert not problems, "\n".join(problems)


def test_compile_translations_command(settings, tmp_path):
    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    po.append(polib.POEntry(msgid="你好", msgstr="Hello"))
    po.append(polib.POEntry(msgid="草稿", msgstr="Draft", flags=["fuzzy"]))
    po.save(str(messages / "django.po"))
    settings.LOCALE_PATHS = [tmp_path]

    out = io.StringIO()
    call_command("compile_translations", stdout=out)
    assert "compiled 1 translation catalog(s) (1 updated" in out.getvalue()
    mo = polib.mofile(str(messages / "django.mo"))
    assert {e.msgid: e.msgstr for e in mo} == {"你好": "Hello"}  # fuzzy entries are left out
    mtime = (messages / "django.mo").stat().st_mtime_ns

    out = io.StringIO()
    call_command("compile_translations", stdout=out)
    assert "(0 updated, 1 unchanged)" in out.getvalue()
    assert (messages / "django.mo").stat().st_mtime_ns == mtime  # not rewritten

    (tmp_path / "broken.po").write_text("this is not a catalog\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 translation catalog"):
        call_command("compile_translations", stdout=io.StringIO(), stderr=io.StringIO())


# --- Pages in both languages -----------------------------------------------------------------


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _nav_html(html: str) -> str:
    match = re.search(r"<nav\b.*?</nav>", html, re.S)
    assert match, "no <nav> in the page"
    return match.group(0)


def test_home_defaults_to_chinese(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "问需于民" in html and "工作人员登录" in html and "五个步骤" in html
    assert "Ask residents what they need" not in html


def test_home_in_english_with_language_cookie(client, db):
    html = _english(client).get("/").content.decode()
    assert '<html lang="en">' in html
    for text in (
        "Ask residents what they need",  # 问需于民
        "Five steps",
        "Staff login",
        "Skip to main content",
        "Open API documentation",
        "Caidan (菜单, “menu”) is an open platform",  # the blocktranslate paragraph
        ">Log in</a>",
        ">Home</a>",
    ):
        assert text in html
    for chinese in ("问需于民", "五个步骤", "工作人员登录", "跳到正文"):
        assert chinese not in html
    assert '<option value="en" selected>English</option>' in html


def test_set_language_view_switches_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/").content.decode()
    assert "Ask residents what they need" in html and "问需于民" not in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "问需于民" in client.get("/").content.decode()


def test_dashboard_navigation_in_english(login):
    client = _english(login("admin"))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    nav = _nav_html(html)
    for label in ("Home", "Dashboard", "Audit log", "Jurisdiction settings", "Working calendar"):
        assert f">{label}</a>" in nav
    assert ">Notifications" in nav
    assert not CJK.search(nav), f"untranslated text in the navigation: {nav}"
    assert "<title>Dashboard · 菜单 Caidan</title>" in html
    assert ">Log out</button>" in html and ">Change password</a>" in html


def test_dashboard_navigation_defaults_to_chinese(login):
    html = login("purchaser").get("/dashboard/").content.decode()
    nav = _nav_html(html)
    assert ">首页</a>" in nav and ">工作台</a>" in nav and ">通知" in nav
    assert "Dashboard" not in nav


def test_error_pages_in_english(client, db):
    response = _english(client).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "The page you are looking for does not exist or has been moved." in html
    assert "Back to the home page" in html
