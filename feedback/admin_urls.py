"""The feedback app's admin URLs (namespace `feedback_reports`), under /admin/.

Included by the one `register_admin_urls` hook in feedback/wagtail_hooks.py.
Under /admin/reports/, beside Wagtail's own reports: Django tries Wagtail's
"reports/" include first and falls through to these. A new report: one
module in feedback/reports/, its line here, one menu entry in wagtail_hooks.py.
"""

from portal.reports import report_urls as report

from .reports.by_page import FeedbackSummaryView
from .reports.by_version import FeedbackHistoryView
from .reports.responses import FeedbackReportView

app_name = "feedback_reports"


urlpatterns = [
    *report("reports/feedback/", FeedbackReportView, "responses"),
    *report("reports/feedback-summary/", FeedbackSummaryView, "by_page"),
    *report(
        "reports/feedback-summary/<int:page_id>/versions/", FeedbackHistoryView, "page_history"
    ),
]
