"""Lists in the page's language (issue 20): 养老、助残 in Chinese, "elderly care, disability"
in English — one helper (``common.i18n.join_list``) and its template filter."""

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from caidan.common.i18n import join_list


def test_join_list_follows_the_language():
    items = ["甲", "乙", "丙"]
    with translation.override("zh-hans"):
        assert join_list(items) == "甲、乙、丙"
    with translation.override("en"):
        assert join_list(items) == "甲, 乙, 丙"
    assert join_list([]) == "" and join_list(["一"]) == "一"
    assert join_list(["a", "", "b"]) in ("a、b", "a, b")  # empty items are left out


def test_join_list_translates_lazy_labels():
    labels = [gettext_lazy("公开招标"), gettext_lazy("竞争性磋商")]
    with translation.override("en"):
        text = join_list(labels)
    assert "、" not in text and ", " in text and "公开" not in text


def test_the_template_filter_and_tag():
    template = Template(
        "{% load lists %}{{ items|join_list }}|"
        "{% for i in items %}{{ i }}{% if not forloop.last %}{% list_separator %}{% endif %}"
        "{% endfor %}"
    )
    context = Context({"items": ["<b>", "乙"]})
    with translation.override("zh-hans"):
        assert template.render(context) == "&lt;b&gt;、乙|&lt;b&gt;、乙"
    with translation.override("en"):
        assert template.render(context) == "&lt;b&gt;, 乙|&lt;b&gt;, 乙"
