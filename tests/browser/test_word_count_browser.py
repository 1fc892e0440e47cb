"""The Reading age panel's word count against Wagtail's Checks panel, in Chromium.

Wagtail's Checks panel counts words in the browser: the pieces of the
preview's `<main>` text that `Intl.Segmenter(lang, {granularity: "word"})`
calls word-like. `guidance.reading_age.word_count` follows the same rule on
the server, with Chromium's own change to it (a full stop or colon between
letters splits a word). Here Chromium itself is asked:

- on awkward strings (hyphens, apostrophes, numbers, punctuation, emoji),
  and on 3,000 random strings of such pieces, with the same expression as
  Wagtail's content checks;
- in the page editor: for a page whose preview holds only the measured text
  (title, summary, one paragraph) and the "Page last reviewed" line, the
  Checks panel's figure is the Reading age panel's plus that line's words;
  after an autosave the panel counts the words typed and says it now shows
  the latest draft; opened again, the Checks panel counts them too.
"""

import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from guidance.models import GuidancePage, SafetySettings
from guidance.reading_age import word_count, words_in
from tests.guidance.factories import GuidancePageFactory, paragraph
from tests.support.admin_screens import PASSWORD, WIDTH
from tests.support.browser import NEUTRAL_URL, sign_in_with_the_form
from tests.support.checks import WORDS_AS_THE_BROWSER_COUNTS
from tests.support.site import build_site_tree

pytestmark = pytest.mark.browser

# Wagtail's own count (wagtail/admin/static/wagtailadmin/js/core.js, extractMetrics).
WAGTAILS_WORD_COUNT = """
    ([lang, texts]) => texts.map((text) => {
        const segmenter = new Intl.Segmenter(lang, { granularity: "word" });
        return Array.from(segmenter.segment(text))
            .filter((piece) => piece.isWordLike)
            .map((piece) => piece.segment);
    })
"""

LONGER_TEXT = (
    "If you're under 18 and someone asks for a nude, it's not your fault. "
    "Call Childline on 0800 1111 (free, 24/7) — or talk to a teacher you trust… "
    "CEOP's website (www.ceop.police.uk) explains what happens next: step-by-step."
)


def test_chromium_splits_words_as_the_panel_does(page):
    texts = [text for text, _ in WORDS_AS_THE_BROWSER_COUNTS] + [LONGER_TEXT]

    in_chromium = page.evaluate(WAGTAILS_WORD_COUNT, ["en", texts])

    assert in_chromium == [words_in(text) for text in texts]


# Pieces that word boundaries treat differently: letters, digits, joiners,
# apostrophes, full stops, colons, dashes, symbols, emoji, spaces, Welsh.
PIECES = [
    *"aZ9 0.,'’-–—_:;!?\"()/&%@#+=*\n\t·‧﹒．",
    *["é", "e\u0301", "ß", "ω", "Ж", "😀", "\u00a0", "\u200b", "½", "²", "Ⅻ", "ŵ"],
    *["3.5", "1,000", "e.g.", "U.K.", "www.x.org", "a@b.com", "co-op", "don’t", "10:30"],
]


def test_chromium_splits_random_strings_as_the_panel_does(page):
    chosen = random.Random(2026)  # noqa: S311 - test strings, not secrets
    texts = [
        "".join(chosen.choice(PIECES) for _ in range(chosen.randint(1, 14))) for _ in range(3000)
    ]

    in_chromium = page.evaluate(WAGTAILS_WORD_COUNT, ["en", texts])

    different = [
        (text, theirs, words_in(text))
        for text, theirs in zip(texts, in_chromium, strict=True)
        if theirs != words_in(text)
    ]
    assert different == []


@pytest.fixture
def plain_page(django_db_serialized_rollback, transactional_db, live_server):
    """A guidance page whose preview's <main> holds its title, summary, a paragraph, a date."""
    tree = build_site_tree()
    settings = SafetySettings.for_site(tree.site)
    settings.neutral_exit_url = NEUTRAL_URL
    settings.save()
    page = GuidancePageFactory(
        parent=tree.topic,
        title="Self-harm",
        summary="What to do — now, if you're worried.",
        show_feedback_form=False,
        body=[
            paragraph("<p>Well-being matters. A 10-year-old's worries count: call 0800 1111.</p>")
        ],
    )
    return live_server, page


# Wagtail notes the form's starting state about 2 s after the editor loads
# (sometimes twice, a moment apart) and autosaves changes made after it: a
# change typed before the last note is taken for the starting state.
WATCH_EDITS = """
    document.addEventListener("w-unsaved:watch-edits", () => {
        window.lastWatchEdits = performance.now();
    });
    Object.defineProperty(window, "watchingEditsSince", {
        get: () => (window.lastWatchEdits ? performance.now() - window.lastWatchEdits : 0),
    });
"""


def _signed_in_editor(browser, base_url):
    user = get_user_model().objects.create_user("ed.words", "ed.words@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    sign_in_with_the_form(tab, base_url, "ed.words", PASSWORD)
    tab.wait_for_url(f"{base_url}/admin/")
    return tab


def _checks_count(tab, different_from=None):
    """The Checks panel's word count, once it is worked out (and differs from `different_from`)."""
    tab.wait_for_function(
        """(previous) => {
            const cell = document.querySelector("[data-content-word-count]");
            return cell && /^[0-9]+$/.test(cell.textContent.trim())
                && cell.textContent.trim() !== previous;
        }""",
        arg=str(different_from) if different_from is not None else "",
    )
    return int(tab.locator("[data-content-word-count]").inner_text().strip())


def _type_and_wait_for_autosave(tab, selector, words, count_before):
    """Add `words` to a field and wait for the panel's count to change after Wagtail autosaves.

    In these tests the live server shares one SQLite connection between its
    threads, so an autosave that meets another request (the editing session's
    ping) can fail with a 503; a trailing space then makes Wagtail save again.
    """
    tab.wait_for_function("() => window.watchingEditsSince > 1500")
    field = tab.locator(selector)
    text = f"{field.input_value()}{words}"
    for attempt in range(3):
        field.fill(text + " " * attempt)
        try:
            tab.wait_for_function(
                "(before) => document.querySelector('[data-reading-age-words]')"
                ".textContent.trim() !== before",
                arg=str(count_before),
                timeout=8_000,
            )
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("The Reading age panel did not change after three autosaves")


def test_the_checks_panel_and_the_reading_age_panel_count_the_same_words(browser, plain_page):
    live_server, guidance = plain_page
    review_line = f"Page last reviewed: {guidance.last_reviewed:%-d %B %Y}"
    tab = _signed_in_editor(browser, live_server.url)
    tab.add_init_script(WATCH_EDITS)
    try:
        tab.goto(f"{live_server.url}/admin/pages/{guidance.pk}/edit/")
        panel = tab.locator("[data-reading-age-panel]")
        ours = int(panel.locator("[data-reading-age-words]").inner_text())
        assert "This is the live version" in panel.inner_text()

        toggle_checks = tab.get_by_role("button", name="Toggle checks")
        toggle_checks.click()
        checks = _checks_count(tab)

        assert ours == word_count(
            "Self-harm What to do — now, if you're worried. "
            "Well-being matters. A 10-year-old's worries count: call 0800 1111."
        )
        assert checks == ours + word_count(review_line)

        # An autosave sends the panel again for the draft just saved. The Checks
        # panel is closed first: its preview updates are requests of their own.
        toggle_checks.click()
        _type_and_wait_for_autosave(tab, "#id_summary", " Talk to someone you trust.", ours)
        panel = tab.locator("[data-reading-age-panel]")
        assert int(panel.locator("[data-reading-age-words]").inner_text()) == ours + 5
        assert "This is the latest draft" in panel.inner_text()
        assert GuidancePage.objects.get(pk=guidance.pk).has_unpublished_changes

        # Opened again, the editor holds that draft: both panels count it alike.
        tab.reload()
        panel = tab.locator("[data-reading-age-panel]")
        assert "This is the latest draft" in panel.inner_text()
        assert int(panel.locator("[data-reading-age-words]").inner_text()) == ours + 5
        tab.get_by_role("button", name="Toggle checks").click()
        assert _checks_count(tab) == checks + 5
    finally:
        tab.context.close()
