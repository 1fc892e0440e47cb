"""Site search: the words searched, the promoted results, and what is counted.

`guidance.views.search` runs the search; this module holds what it needs
around it (docs/search_and_seo.md):

- `clean_query`: the visitor's words as searched: no control characters
  (NUL breaks PostgreSQL), no runs of spaces, at most `QUERY_MAX_LENGTH`.
- `pages_of_force`: what a force's search may show: the live, public pages
  of its Site (its home page and below), never another force's.
- `promotions_for`: the results editors pinned for a query (Wagtail's
  `SearchPromotion`, Settings → Promoted search results), the force's own
  live public pages and external links only.
- `record_search`: one hit a day for the query in Wagtail's `Query` (the
  "Search terms" report) and, when nothing was found, in `NoResultsSearch`
  (the "Searches with no results" report). Only `stored_query_text` is
  kept: lower case, punctuation dropped, e-mail addresses, phone numbers,
  National Insurance numbers, postcodes, dates of birth, usernames and
  introduced names replaced by "[removed]"
  (portal/scrubbing.py). Never the address, time of day, page of results
  or anything else about the visitor. A database failure here is logged and
  swallowed: the visitor still gets their results.

`NoResultsSearch`, the model it writes, is in guidance/models/search.py.
"""

import logging
import re
import unicodedata

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page
from wagtail.search.utils import MAX_QUERY_STRING_LENGTH, normalise_query_string

from portal.scrubbing import REMOVED, remove_control_characters, scrub_personal_data

from .models import NoResultsSearch

logger = logging.getLogger(__name__)

QUERY_MAX_LENGTH = 200
# Personal details are looked for in this much of what was typed, so a phone
# number cut in two by QUERY_MAX_LENGTH is still found whole.
SCRUB_SCAN_LENGTH = 2 * QUERY_MAX_LENGTH
# A word: letters and digits, with apostrophes or hyphens inside ("don't", "e-safety").
WORD_PATTERN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def clean_query(raw):
    """The words to search for: control characters out, spaces folded, at most 200 characters."""
    text = remove_control_characters(raw or "")
    return " ".join(text.split())[:QUERY_MAX_LENGTH].strip()


def searchable_text(query):
    """`query` as given to the search backend: its words only, "" if it has none.

    Operators and quotes mean nothing in a plain-text search, and some
    break a backend: SQLite's puts each word in FTS5 double quotes without
    escaping a `"` (a syntax error, so a 503), and both fail on a query
    with no word at all.
    """
    return _words(query)


def _words(text):
    return " ".join(WORD_PATTERN.findall(text))


def stored_query_text(raw):
    """What may be kept of a search: lower-case words, personal details replaced by [removed].

    "Nudes?" and "nudes" count as one search; "call me on 07700 900123" is
    kept as "call me on [removed]". Empty when nothing but symbols was typed.
    """
    text = unicodedata.normalize("NFKC", remove_control_characters(raw or ""))
    text = scrub_personal_data(" ".join(text.split())[:SCRUB_SCAN_LENGTH])
    text = f" {REMOVED} ".join(_words(part) for part in text.split(REMOVED))
    text = " ".join(text.lower().split())
    if len(text) > MAX_QUERY_STRING_LENGTH:
        text = text[: MAX_QUERY_STRING_LENGTH + 1].rsplit(" ", 1)[0] or text
    return text[:MAX_QUERY_STRING_LENGTH]


def pages_of_force(site):
    """The live, public pages a search on `site` may show: its home page and those below it.

    Never another force's: promotions and results are both kept to these.
    No pages at all without a site (a request no force answers).
    `descendant_of` filters on `path` and `depth`, both filter fields of
    `Page.search_fields`, so Wagtail's database backend applies it on
    SQLite and PostgreSQL alike.
    """
    if site is None:
        return Page.objects.none()
    return Page.objects.live().public().descendant_of(site.root_page, inclusive=True)


def promotions_for(query, pages):
    """Editors' pinned results for `query`, in their order: pages among `pages`, external links.

    `pages` is `pages_of_force(site)`: a promotion of another force's page
    (promotions are one list for the whole install) is left out. Found by
    the stored form of the words ("Nudes?" finds the promotion for "nudes")
    and by Wagtail's own (lower case, spaces folded). Each page or link
    appears once.
    """
    texts = {stored_query_text(query), normalise_query_string(query)} - {""}
    if not texts:
        return []
    promotions = (
        SearchPromotion.objects.filter(query__query_string__in=texts)
        .filter(Q(page__isnull=True, external_link_url__gt="") | Q(page__in=pages))
        .select_related("page")
        .order_by("sort_order", "pk")
    )
    unique, seen = [], set()
    for promotion in promotions:
        key = promotion.page_id or promotion.external_link_url
        if key not in seen:
            seen.add(key)
            if promotion.page is not None:
                promotion.page = promotion.page.specific
            unique.append(promotion)
    return unique


def record_search(query, *, found):
    """Count one search for `query` today; also as a search with no results unless `found`.

    Only `stored_query_text(query)` is kept. Never raises for a database
    failure: the search has been answered, and counting it is not worth a
    visitor's error page.
    """
    text = stored_query_text(query)
    if not text:
        return
    try:
        with transaction.atomic():
            Query.get(text).add_hit(date=timezone.localdate())
            if not found:
                NoResultsSearch.add_hit(text)
    except DatabaseError as error:
        # The error's class only: its message could quote the words.
        logger.warning("Search not counted: the database failed (%s)", type(error).__name__)
