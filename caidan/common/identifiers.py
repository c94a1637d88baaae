"""Identifiers: the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from caidan.common.codes import Common

from .errors import field_error

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class UsccAuthority(NamedTuple):
    name: str  # 登记管理部门
    categories: dict[str, str]  # 机构类别代码 → 机构类别


# GB 32100-2015 附录 A（登记管理部门代码和机构类别代码）, with the codes added since
# (A 中央军委改革和编制办公室, N 农业, Y 其他): every registration authority (第 1 位)
# with every institution category (第 2 位) it may issue. Checked code by code.
USCC_AUTHORITIES: dict[str, UsccAuthority] = {
    "1": UsccAuthority(
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": UsccAuthority("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": UsccAuthority(
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": UsccAuthority("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": UsccAuthority(
        "民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}
    ),
    "6": UsccAuthority(
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": UsccAuthority("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": UsccAuthority("工会", {"1": "基层工会", "9": "其他"}),
    "9": UsccAuthority("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": UsccAuthority("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": UsccAuthority(
        "农业",
        {
            "1": "组级集体经济组织",
            "2": "村级集体经济组织",
            "3": "乡镇级集体经济组织",
            "9": "其他",
        },
    ),
    "Y": UsccAuthority("其他", {"1": "不再具体划分机构类别"}),
}


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    """Return the normalised code, or raise a ValidationError that says what is wrong."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise field_error(
            field,
            _("统一社会信用代码应为 18 位，当前为 %(len)s 位。") % {"len": len(code)},
            code=Common.USCC_LENGTH,
        )
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        raise field_error(
            field,
            _("统一社会信用代码含有不允许的字符：%(join)s（不使用 I、O、S、V、Z）。")
            % {"join": "、".join(bad)},
            code=Common.USCC_CHARSET,
        )
    authority = USCC_AUTHORITIES.get(code[0])
    if authority is None:
        known = "、".join(f"{k} {a.name}" for k, a in USCC_AUTHORITIES.items())
        raise field_error(
            field,
            _("第 1 位登记管理部门代码“%(value)s”无效（可用：%(known)s），GB 32100-2015。")
            % {"value": code[0], "known": known},
            code=Common.USCC_AUTHORITY,
        )
    if code[1] not in authority.categories:
        allowed = "、".join(f"{k} {name}" for k, name in authority.categories.items())
        raise field_error(
            field,
            _(
                "第 2 位机构类别代码“%(value)s”不属于登记管理部门“%(name)s”（可用：%(allowed)s），GB 32100-2015。"
            )
            % {"value": code[1], "name": authority.name, "allowed": allowed},
            code=Common.USCC_CATEGORY,
        )
    if not code[2:8].isdigit():
        raise field_error(
            field, _("第 3–8 位登记管理机关行政区划码应为 6 位数字。"), code=Common.USCC_REGION
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise field_error(
            field,
            _("统一社会信用代码校验位错误：第 18 位应为“%(expected)s”，实为“%(value)s”。")
            % {"expected": expected, "value": code[17]},
            code=Common.USCC_CHECK,
        )
    return code


def make_uscc(prefix17: str) -> str:
    """Complete 17 characters with their check character (for demo and test data)."""
    prefix17 = prefix17.upper()
    return prefix17 + uscc_check_character(prefix17)
