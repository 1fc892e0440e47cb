"""Feedback reports in the Wagtail admin (see docs/feedback_reports.md).

- one module per report, each with its downloads: `responses` ("Page
  feedback"), `by_page` ("Feedback by page"), `by_version` ("Feedback by
  version"); `base`: what the three share
- `columns`: the columns of their tables
- `filters`: their filter sets
- `figures`: the aggregate queries behind every figure
- `history`: a page's feedback by published version, and the version numbers
  the exports give each response
- `chart`: the server-drawn SVG chart of responses per week
- `panels`: the dashboard panel and the page editor panel
- `links`: the editor and live links of a report row

Who may read and download feedback is `feedback/permissions.py`; the export
audit action is `feedback/audit.py`.

Their URLs are in feedback/admin_urls.py (namespace `feedback_reports`);
their menu entries in feedback/wagtail_hooks.py.
"""
