"""The guidance app's admin reports: one module per report (docs/architecture.md).

- `review_due`: "Guidance due for review" (pages and contacts), and its
  dashboard panel;
- `reading_age`: "Reading age";
- `search_terms`: Wagtail's "Search terms" at its own address, and the
  view both search reports are built on;
- `no_results`: "Searches with no results".

Their URLs are in guidance/admin_urls.py (namespace `guidance_reports`);
their menu entries in guidance/wagtail_hooks.py.
"""
