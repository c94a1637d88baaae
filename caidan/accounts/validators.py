"""Password strength: Django's validators check length and a list of 20,000 common passwords;
this one estimates how many guesses an attacker needs (zxcvbn: dictionaries of names, words
and leaked passwords, keyboard patterns, dates, l33t substitutions, repeats) and refuses
passwords a slow-hash offline attack would find (score below ``min_score`` of 0–4;
4 means about 10¹⁰ guesses or more)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from caidan.accounts.codes import Code

# zxcvbn's time grows with length; beyond this the estimate only gets stronger.
MAX_CHECKED = 72
# Words every Caidan password would be tempted to contain, and the commonest surnames in
# pinyin (zxcvbn's dictionaries are English: "zhangsan1990" scores 3 where "jennifer1990"
# scores 1, hence also the default minimum of 4).
SITE_WORDS = [
    *["caidan", "zhengfu", "caigou", "shanghai", "beijing", "changning", "admin", "password"],
    *[
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "gao",
        "lin",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "zeng",
        "xiao",
        "tian",
        "dong",
        "yuan",
        "pan",
        "cai",
        "jiang",
        "yu",
        "du",
        "ye",
        "cheng",
        "wei",
        "su",
        "lu",
        "ding",
        "ren",
        "shen",
        "yao",
        "jin",
        "fu",
        "zhong",
        "xue",
        "qiu",
    ],
]


class StrengthValidator:
    def __init__(self, min_score: int = 4):
        self.min_score = min_score

    def validate(self, password, user=None):
        from zxcvbn import zxcvbn

        inputs = list(SITE_WORDS)
        if user is not None:
            for attr in ("username", "display_name", "email", "phone", "first_name", "last_name"):
                value = str(getattr(user, attr, "") or "")
                inputs += [value, *value.replace("@", " ").replace(".", " ").split()]
        result = zxcvbn(str(password)[:MAX_CHECKED], user_inputs=[i for i in inputs if i])
        if result["score"] < self.min_score:
            raise ValidationError(
                _(
                    "密码太容易被猜中（强度 %(score)s/4，至少需要 %(min)s）：请使用几个不相关的词或更长的"
                    "随机字符，不要用姓名、用户名、日期、键盘序列或常见密码。"
                ),
                code=Code.PASSWORD_TOO_WEAK,
                params={"score": result["score"], "min": self.min_score},
            )

    def get_help_text(self):
        return "密码不能太容易被猜中：请使用几个不相关的词或更长的随机字符。"
