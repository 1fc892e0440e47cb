"""What the content checks and the word count expect, shared by the server and browser tests.

tests/guidance/test_content_checks.py and tests/guidance/test_reading_age.py
check these on the server; tests/browser/test_content_checks_browser.py and
tests/browser/test_word_count_browser.py ask Chromium the same questions.
"""

# Demo content that trips a rule, reported rather than hidden: link the number
# ("Phone link" in the link chooser) and remove the entry.
# Demo content that trips a rule, as {(slug, rule id): where}: none. An entry
# here marks that case as expected to fail until the demo is fixed.
DEMO_TRIPS = {}
DEMO_SLUGS = ["sexting", "cover-your-tracks-online", "online-grooming"]

# The words Chromium's `Intl.Segmenter(..., {granularity: "word"})` calls word-like,
# which Wagtail's Checks panel counts (read from Chromium 156;
# tests/browser/test_word_count_browser.py asks it again). Firefox, Safari and Node
# keep "e.g", "U.K" and "www.nspcc.org.uk" whole. textstat's count, which the panel
# used to show, differs on most of these.
WORDS_AS_THE_BROWSER_COUNTS = [
    (
        "Well-being and self-harm: a 10-year-old's worries.",
        ["Well", "being", "and", "self", "harm", "a", "10", "year", "old's", "worries"],
    ),
    ("Don't panic; it isn't your fault.", ["Don't", "panic", "it", "isn't", "your", "fault"]),
    ("It’s fine", ["It’s", "fine"]),
    ("Call 0808 800 5000 or 999.", ["Call", "0808", "800", "5000", "or", "999"]),
    (
        "It's 3.5 miles, about 1,000 steps.",
        ["It's", "3.5", "miles", "about", "1,000", "steps"],
    ),
    (
        "e.g. the U.K. and www.nspcc.org.uk",
        ["e", "g", "the", "U", "K", "and", "www", "nspcc", "org", "uk"],
    ),
    (
        "At 10:30 or 3.5 hrs, x.y: see note:here",
        ["At", "10", "30", "or", "3.5", "hrs", "x", "y", "see", "note", "here"],
    ),
    ("Open 24/7, 9am to 9pm.", ["Open", "24", "7", "9am", "to", "9pm"]),
    ("R&D, C++ and #tag", ["R", "D", "C", "and", "tag"]),
    ("— ... !! ?? – •", []),
    ("Tell someone 😀 👍🏽 ½ ²", ["Tell", "someone"]),
    ("‘Single’ and “double” quotes", ["Single", "and", "double", "quotes"]),
    ("rock'n'roll snake_case __ _", ["rock'n'roll", "snake_case", "__"]),
    ("Llŷr and Gŵyn", ["Llŷr", "and", "Gŵyn"]),
]
