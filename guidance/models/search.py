"""Searches that found nothing, counted by day (Reports → Searches with no results).

Written by `guidance.search.record_search`; what is kept of the words is
`guidance.search.stored_query_text` (docs/search_and_seo.md).
"""

from django.db import models
from django.db.models import F, Max, Sum
from django.utils import timezone
from wagtail.search.utils import MAX_QUERY_STRING_LENGTH


class NoResultsSearchQuerySet(models.QuerySet):
    def between(self, first=None, last=None):
        """Days from `first` to `last`, both included; either may be None (open-ended)."""
        days = self
        if first:
            days = days.filter(date__gte=first)
        if last:
            days = days.filter(date__lte=last)
        return days

    def by_query(self):
        """One row per query: {"query_text", "searches", "last_searched"}."""
        return (
            self.values("query_text")
            .annotate(searches=Sum("hits"), last_searched=Max("date"))
            .order_by()
        )


class NoResultsSearch(models.Model):
    """How many times, on one day, a search found nothing at all (no result, no promotion).

    One row per day and query, holding the stored form of the words
    (`stored_query_text`) and a count: nothing about who searched. Read by
    Reports → Searches with no results (guidance/reports/no_results.py).
    """

    date = models.DateField()
    query_text = models.CharField("search words", max_length=MAX_QUERY_STRING_LENGTH)
    hits = models.PositiveIntegerField("searches", default=0)

    objects = NoResultsSearchQuerySet.as_manager()

    class Meta:
        app_label = "guidance"
        verbose_name = "search with no results"
        verbose_name_plural = "searches with no results"
        ordering = ["-date", "query_text"]
        constraints = [
            models.UniqueConstraint(fields=["date", "query_text"], name="no_results_search_day")
        ]

    def __str__(self):
        return f"{self.query_text} ({self.date}: {self.hits})"

    @classmethod
    def add_hit(cls, query_text, date=None):
        """Add one to today's count for `query_text`, creating the day's row if needed."""
        date = date or timezone.localdate()
        updated = cls.objects.filter(date=date, query_text=query_text).update(hits=F("hits") + 1)
        if not updated:
            _, created = cls.objects.get_or_create(
                date=date, query_text=query_text, defaults={"hits": 1}
            )
            if not created:  # made by a concurrent search since the update above
                cls.objects.filter(date=date, query_text=query_text).update(hits=F("hits") + 1)
