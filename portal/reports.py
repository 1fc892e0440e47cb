"""What every admin report of the portal shares (feedback and guidance reports)."""

from itertools import chain

import django_filters
from django.core.exceptions import ValidationError
from django.urls import path
from django_filters.fields import DateRangeField, ModelChoiceField
from wagtail.admin.filters import DateRangePickerWidget

from .spreadsheets import BOM, neutralise_formula

# The largest id a database integer holds (SQLite's and PostgreSQL's bigint).
MAX_DATABASE_ID = 2**63 - 1


class IdInRangeChoiceField(ModelChoiceField):
    """A model choice refusing an id no database integer holds, as an invalid choice.

    Django range-checks ids only on a model's own integer key: the key of a
    page type (a one-to-one link to `Page`) goes to the database as given, and
    SQLite overflows on `?topic=99999999999999999999` (a 500).
    """

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None:
            try:
                out_of_range = abs(int(value)) > MAX_DATABASE_ID
            except (TypeError, ValueError):
                out_of_range = False  # the model field refuses it itself
            if out_of_range:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filter's ModelChoiceFilter, safe for page types: see `IdInRangeChoiceField`."""

    field_class = IdInRangeChoiceField


class OrderedDateRangeField(DateRangeField):
    """A date range whose start may not come after its end."""

    def compress(self, data_list):
        if data_list and all(data_list) and data_list[0] > data_list[1]:
            raise ValidationError("The start date must not be after the end date.")
        return super().compress(data_list)


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """Whole days in the site's time zone; refuses a range that ends before it starts."""

    field_class = OrderedDateRangeField

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DateRangePickerWidget)
        super().__init__(**kwargs)


class InvalidFiltersGiveNoRowsMixin:
    """For a Wagtail `ReportView`: filters that do not validate list nothing.

    Wagtail's listing would otherwise ignore a bad filter and list (and
    export) everything, which reads as an answer to the question asked.
    """

    @property
    def filters_are_invalid(self):
        return bool(self.filters) and not self.filters.is_valid()

    def filter_queryset(self, queryset):
        if self.filters_are_invalid:
            return queryset.none()
        return super().filter_queryset(queryset)


class SafeSpreadsheetExportMixin:
    """For a Wagtail `ReportView`: its CSV and XLSX downloads, made safe to open.

    Wagtail's CSV leaves a cell such as `=HYPERLINK(...)` live; here every
    text cell a spreadsheet would run as a formula gets a leading `'`, as in
    the feedback exports (portal/spreadsheets.py), and the file starts with a
    byte-order mark so that Excel reads it as UTF-8. Wagtail's XLSX already
    stores such cells as text.
    """

    def get_preprocess_function(self, field, value, export_format):
        preprocess = super().get_preprocess_function(field, value, export_format)
        if export_format != self.FORMAT_CSV:
            return preprocess
        if preprocess is None:
            return neutralise_formula
        return lambda cell: neutralise_formula(preprocess(cell))

    def stream_csv(self, queryset):
        return chain([BOM], super().stream_csv(queryset))


def report_urls(address, view, name=None):
    """A report's two URLs for an app's admin_urls.py: its page, and its `results/`.

    Wagtail's report views refresh their results at `results/` when a filter
    changes; the names are `name` and `name_results` (none for a report
    served at Wagtail's own address under Wagtail's names).
    """
    return [
        path(address, view.as_view(), name=name),
        path(
            f"{address}results/",
            view.as_view(results_only=True),
            name=f"{name}_results" if name else None,
        ),
    ]
