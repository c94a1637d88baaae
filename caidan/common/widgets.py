"""Form widgets for the browser's native date pickers. ``type=date`` inputs only accept
ISO values, so the format is fixed whatever the active language's date format is."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's name
        super().__init__(attrs, format=format)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):  # noqa: A002
        super().__init__(attrs, format=format)
