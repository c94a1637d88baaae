"""Identifiers: the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

from .errors import field_error

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authority (登记管理部门) → allowed institution categories (机构类别).
USCC_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "1239"),
    "2": ("外交", "19"),
    "3": ("司法行政", "12345689"),
    "4": ("文化", "19"),
    "5": ("民政", "1239"),
    "6": ("旅游", "129"),
    "7": ("宗教", "129"),
    "8": ("工会", "39"),
    "9": ("工商", "123"),
    "A": ("中央军委改革和编制办公室", "19"),
    "N": ("农业", "1239"),
    "Y": ("其他", "1"),
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
            field, f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。", code="uscc_length"
        )
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        raise field_error(
            field,
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）。",
            code="uscc_charset",
        )
    authority = USCC_AUTHORITIES.get(code[0])
    if authority is None:
        raise field_error(field, f"第 1 位登记管理部门代码“{code[0]}”无效。", code="uscc_authority")
    if code[1] not in authority[1]:
        raise field_error(
            field,
            f"第 2 位机构类别代码“{code[1]}”不属于登记管理部门“{authority[0]}”。",
            code="uscc_category",
        )
    if not code[2:8].isdigit():
        raise field_error(
            field, "第 3–8 位登记管理机关行政区划码应为 6 位数字。", code="uscc_region"
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise field_error(
            field,
            f"统一社会信用代码校验位错误：第 18 位应为“{expected}”，实为“{code[17]}”。",
            code="uscc_check",
        )
    return code


def make_uscc(prefix17: str) -> str:
    """Complete 17 characters with their check character (for demo and test data)."""
    prefix17 = prefix17.upper()
    return prefix17 + uscc_check_character(prefix17)
