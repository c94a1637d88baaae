"""Form fields that refuse values the platform cannot compute with.

A date in year 9999 parses, but its end of day (``+ 1 day``) or any deadline after it
overflows ``datetime``; years before 1900 or after 2200 are never meant. Forms take dates
through ``BoundedDateField`` so such input is a form error, not a server error.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from caidan.common.codes import Common

from .schemas import MAX_YEAR, MIN_YEAR

MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)


class BoundedDateField(forms.DateField):
    """A ``DateField`` limited to 1900-01-01 … 2200-12-31."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise forms.ValidationError(
                _("日期须在 %(MIN_DATE)s 至 %(MAX_DATE)s 之间。")
                % {
                    "MIN_DATE": format(MIN_DATE, "%Y-%m-%d"),
                    "MAX_DATE": format(MAX_DATE, "%Y-%m-%d"),
                },
                code=Common.OUT_OF_RANGE,
            )
