"""The guidance app's admin URLs (namespace `guidance_reports`), under /admin/.

Included by the one `register_admin_urls` hook in guidance/wagtail_hooks.py,
which runs before Wagtail's own (order=-1) so that "Search terms" at
Wagtail's address is ours. A new report: one module in guidance/reports/,
its two lines here (the page and its `results/`), one menu entry in
wagtail_hooks.py.
"""

from portal.reports import report_urls as report

from .reports.no_results import NoResultsReport
from .reports.reading_age import ReadingAgeReportView
from .reports.review_due import ReviewDueReportView
from .reports.search_terms import SearchTermsReport

app_name = "guidance_reports"


urlpatterns = [
    *report("reports/review-due/", ReviewDueReportView, "review_due"),
    *report("reports/reading-age/", ReadingAgeReportView, "reading_age"),
    *report("reports/searches-with-no-results/", NoResultsReport, "no_results"),
    # Wagtail's own address and names (wagtailsearchpromotions:search_terms).
    *report("searchpicks/reports/search-terms/", SearchTermsReport),
]
