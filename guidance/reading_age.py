"""Reading age: how old a reader a guidance page is written for, worked out when it is published.

Many visitors are children, and safeguarding pages for young people should
read at a reading age of about 9 to 11. Each `TopicPage` has a target
(`target_reading_age`, 11 unless an editor changes it); its guidance pages
are measured against it. See docs/reading_age.md.

- **What is measured**: the page's title and summary, and every text in its
  body (section headings, paragraphs, call-outs, quotes, lists, questions
  and answers, a contacts block's heading and introduction), but not the
  contact cards: they are shared text, edited under Signposting contacts.
  Each heading, paragraph and list item counts as at least one sentence:
  a full stop is added for the formula where it has none.
- **The formula**: textstat's Coleman–Liau index, a US school grade from
  letters per word and sentences per word, plus 5 for a UK reading age in
  years. It counts letters, not syllables, so it never needs textstat's
  pronouncing dictionary (which textstat downloads from the internet on
  first use: our servers must never wait on that while publishing).
- **The hardest sentences**: the three that raise the page's estimate the
  most, that is, whose removal would lower it the most (long sentences,
  and sentences of long words).
- **Words** are counted as Wagtail's Checks panel counts them in the
  browser (`word_count`): the word-like pieces between Unicode word
  boundaries, as Chrome and Edge find them: "well-being" and "e.g." are two
  words each, "don't" and "3.5" one each, and a dash or "..." none.
  textstat's formula keeps its own count.
- **When it is stored**: on every publish (the `page_published` signal,
  `store_estimate_on_publish` in guidance/signals.py: the editor, workflow
  approval, scheduled publishing and `load_demo_content` all send it). The
  live version's figures are stored on the page (`GuidancePage.reading_age*`)
  for the report; saving a draft leaves them alone
  (`GuidancePage.with_content_json` keeps them when a revision is loaded).
  Migration 0008 fills them in for pages already live.
- **Where staff see it**: `ReadingAgePanel` (guidance/panels.py) in the page
  editor works the figures out afresh for the version being edited (the
  latest draft, or an earlier revision being looked at) and says which
  version that is; after each autosave Wagtail's partial update renders it
  again (templates/wagtailadmin/pages/edit_partials.html). Reports → Reading
  age (guidance/reports/reading_age.py) lists the stored, live figures.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import regex
from django.utils import timezone

logger = logging.getLogger(__name__)

FORMULA = "Coleman–Liau index"
US_GRADE_TO_UK_AGE = 5  # US grade 1 is Year 2 in England, ages 6 to 7
YOUNGEST_AGE = 5.0  # estimates below this are shown as 5
DEFAULT_TARGET = 11  # for topics, and for guidance pages outside a topic
HARDEST_COUNT = 3
# Below this many words the estimate is rough: the editor is told so.
FEW_WORDS = 100
# Only the sentences with the most letters can be among the hardest: the
# others are not tried, so a very long page still publishes at once.
HARDEST_CANDIDATES = 30

# Tags that start a new line of text: a heading, paragraph or list item is
# never run on into the next one.
_LINE_TAGS = {"p", "li", "ul", "ol", "br", "div", "blockquote", "h2", "h3", "h4", "h5", "h6"}
# A sentence: up to and including its full stop, question or exclamation
# mark, and any closing quote or bracket (textstat splits the same way).
_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*[\"'”’)\]]*")
_ENDS_SENTENCE_RE = re.compile(r"[.!?][\"'”’)\]]*$")


# Word boundaries as Unicode defines them (UAX #29), which is what the browser's
# `Intl.Segmenter` finds and Wagtail's Checks panel counts between: `regex`'s
# WORD flag gives the same boundaries (`regex` comes with textstat, via NLTK).
_WORD_BOUNDARY = regex.compile(r"\b", flags=regex.WORD | regex.V1)
# Chromium (Chrome, Edge) changes one rule: a full stop or colon between two
# letters ends a word ("e.g." is "e" and "g"; "www.nspcc.org.uk" is four
# words), though one between digits does not ("3.5"). Firefox and Safari keep
# Unicode's rule. We count as Chromium does: it is what staff desktops run.
_CHROMIUM_BREAK = regex.compile(r"(?<=\p{Alphabetic}\p{M}*)[.\uff0e:](?=\p{M}*\p{Alphabetic})")
# A piece is a word if it holds a letter or a digit (what ICU calls
# "word-like"). A run of two or more joiners such as "__" also counts, as it
# does in ICU; one alone, like punctuation, symbols and emoji, does not.
_WORD_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl"}


def _is_word(piece):
    categories = [unicodedata.category(char) for char in piece]
    return any(category in _WORD_CATEGORIES for category in categories) or (
        len(categories) > 1 and all(category == "Pc" for category in categories)
    )


def words_in(text):
    """The words in `text`, as Wagtail's Checks panel counts them in Chromium.

    The panel counts the pieces of `Intl.Segmenter(lang, {granularity:
    "word"})` that are "word-like": "well-being" is two words ("well",
    "being"), "don't", "3.5" and "1,000" one each, "0808 800 5000" three,
    "e.g." two and "—", "..." or "½" none. Languages the browser splits with
    a dictionary (Thai, Chinese, Japanese) are not split the same way here.
    """
    pieces = _WORD_BOUNDARY.split(_CHROMIUM_BREAK.sub(" ", text))
    return [piece for piece in pieces if piece and _is_word(piece)]


def word_count(text):
    """How many words `text` has, as Wagtail's Checks panel counts them."""
    return len(words_in(text))


def _textstat():
    """textstat, imported on first use: it loads NLTK (about 0.3 s, once per
    process), which serving pages to visitors never needs."""
    import textstat

    return textstat


class _LineReader(HTMLParser):
    """The lines of text in rich text (or plain text), tags dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []
        self._parts = []

    def _end_line(self):
        line = " ".join("".join(self._parts).split())
        if line:
            self.lines.append(line)
        self._parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _LINE_TAGS:
            self._end_line()

    def handle_endtag(self, tag):
        if tag in _LINE_TAGS:
            self._end_line()

    def handle_data(self, data):
        self._parts.append(data)

    def close(self):
        super().close()
        self._end_line()


def _lines(source):
    reader = _LineReader()
    reader.feed(source)
    reader.close()
    return reader.lines


def _texts(raw):
    """Every string in raw StreamField data, in page order.

    Stream children and list items are `{"type", "value", "id"}`: only their
    value is read. Contacts are chosen by id (a number), so the contact cards'
    text is never reached; nor are switches such as "numbered".
    """
    if isinstance(raw, str):
        yield raw
    elif isinstance(raw, dict):
        values = [raw["value"]] if {"type", "value"} <= raw.keys() else raw.values()
        for value in values:
            yield from _texts(value)
    elif isinstance(raw, list | tuple):
        for item in raw:
            yield from _texts(item)


def page_lines(title, summary, body):
    """The lines a visitor reads: title, summary, then the body (raw data or a StreamValue)."""
    raw = body.get_prep_value() if hasattr(body, "get_prep_value") else body
    lines = []
    for text in [title, summary, *_texts(raw or [])]:
        lines.extend(_lines(text or ""))
    return lines


def sentences_of(lines):
    """The sentences in `lines`, as written."""
    return [
        sentence
        for line in lines
        for sentence in (piece.strip() for piece in _SENTENCE_RE.findall(line))
        if sentence
    ]


def for_the_formula(sentence):
    """The sentence with a full stop if it has none (a heading, a list item)."""
    return sentence if _ENDS_SENTENCE_RE.search(sentence) else f"{sentence}."


def formula_text(sentences):
    """The text textstat is given: every sentence, each ending a sentence."""
    return " ".join(for_the_formula(sentence) for sentence in sentences)


def us_grade(text):
    return _textstat().coleman_liau_index(text)


def reading_age_of(text):
    """The UK reading age in years (one decimal place) of `text`, or None if it has no words."""
    if not _textstat().lexicon_count(text):
        return None
    return round(max(YOUNGEST_AGE, us_grade(text) + US_GRADE_TO_UK_AGE), 1)


@dataclass(frozen=True)
class HardSentence:
    text: str
    words: int
    adds: float  # years the page's estimate would drop without this sentence

    def as_json(self):
        return {"text": self.text, "words": self.words, "adds": self.adds}


@dataclass(frozen=True)
class Estimate:
    reading_age: float | None
    words: int
    hardest: list[HardSentence] = field(default_factory=list)


def hardest_sentences(sentences, count=HARDEST_COUNT):
    """The `count` sentences that raise the estimate most, hardest first."""
    prepared = [for_the_formula(sentence) for sentence in sentences]
    whole = us_grade(" ".join(prepared))
    by_letters = sorted(
        range(len(sentences)), key=lambda i: _textstat().letter_count(sentences[i]), reverse=True
    )
    found = []
    for index in by_letters[:HARDEST_CANDIDATES]:
        rest = prepared[:index] + prepared[index + 1 :]
        if not _textstat().lexicon_count(" ".join(rest)):
            continue  # the only sentence: nothing to compare with
        adds = whole - us_grade(" ".join(rest))
        if adds >= 0.05:  # at least 0.1 once rounded
            found.append((adds, index))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [
        HardSentence(sentences[index], word_count(sentences[index]), round(adds, 1))
        for adds, index in found[:count]
    ]


def estimate(title, summary, body):
    """The reading-age estimate of a page's text (see the module's docstring).

    `words` is counted line by line, as the browser reads the rendered page
    (a heading never runs on into the paragraph below it).
    """
    lines = page_lines(title, summary, body)
    words = sum(word_count(line) for line in lines)
    sentences = sentences_of(lines)
    age = reading_age_of(formula_text(sentences))
    if age is None:
        return Estimate(None, words)
    return Estimate(age, words, hardest_sentences(sentences))


def stored_values(page_estimate, now=None):
    """The `GuidancePage` fields that hold an estimate."""
    return {
        "reading_age": page_estimate.reading_age,
        "reading_age_words": page_estimate.words,
        "reading_age_hardest": [sentence.as_json() for sentence in page_estimate.hardest],
        "reading_age_computed_at": now or timezone.now(),
    }


def store_estimate(page):
    """Work out `page`'s estimate from its current content and store it (no new revision)."""
    values = stored_values(estimate(page.title, page.summary, page.body))
    type(page).objects.filter(pk=page.pk).update(**values)
    for name, value in values.items():
        setattr(page, name, value)


def rounded(value):
    return None if value is None else round(value, 1)
