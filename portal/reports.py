"""What every admin report of the portal shares (feedback and guidance reports)."""


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
