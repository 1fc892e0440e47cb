"""Feedback reports in the Wagtail admin (see docs/feedback_reports.md).

- `views`: the "Page feedback", "Feedback by page" and "Feedback by version"
  report views, and their downloads
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

Registered in `feedback/wagtail_hooks.py`.
"""
