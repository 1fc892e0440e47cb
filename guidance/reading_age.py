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
- **When**: on every publish (the `page_published` signal, connected below:
  the editor, workflow approval, scheduled publishing and
  `load_demo_content` all send it). The figures are stored on the page
  (`GuidancePage.reading_age*`), never worked out on an admin view; saving a
  draft leaves them alone (`GuidancePage.with_content_json` keeps them when
  a revision is loaded). Migration 0008 fills them in for pages already live.
- **Where staff see it**: `ReadingAgePanel` in the page editor, and Reports →
  Reading age (guidance/reading_age_report.py).
"""

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.db.models import Count, F, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Length, NullIf, Substr
from django.utils import timezone
from wagtail.admin.panels import Panel
from wagtail.signals import page_published

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
        HardSentence(sentences[index], _textstat().lexicon_count(sentences[index]), round(adds, 1))
        for adds, index in found[:count]
    ]


def estimate(title, summary, body):
    """The reading-age estimate of a page's text (see the module's docstring)."""
    sentences = sentences_of(page_lines(title, summary, body))
    text = formula_text(sentences)
    age = reading_age_of(text)
    if age is None:
        return Estimate(None, 0)
    return Estimate(age, _textstat().lexicon_count(text), hardest_sentences(sentences))


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


def store_estimate_on_publish(sender, instance, **kwargs):
    """`page_published`: store the estimate of the guidance page just published.

    A publish never fails because of the estimate: a fault is logged and the
    page keeps its previous figures.
    """
    from .models import GuidancePage

    if not isinstance(instance, GuidancePage):
        return
    try:
        store_estimate(instance)
    except Exception:
        logger.exception("Reading age not worked out for page %s", instance.pk)


page_published.connect(store_estimate_on_publish, dispatch_uid="guidance_reading_age")


# ---------------------------------------------------------------------------
# Targets and the figures of Reports → Reading age.


def target_for(parent):
    """The target reading age for a guidance page under `parent` (a page, or None)."""
    from .models import TopicPage

    parent = parent.specific_deferred if parent is not None else None
    if isinstance(parent, TopicPage):
        return parent.target_reading_age
    return DEFAULT_TARGET


def _parent_topics():
    """The topic that is the parent of the outer page (by tree path), for subqueries."""
    from wagtail.models import Page

    from .models import TopicPage

    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    return TopicPage.objects.filter(path=parent_path)


def _count(responses):
    return Coalesce(
        Subquery(responses.order_by().values("page").annotate(n=Count("pk")).values("n")),
        0,
    )


def with_figures(pages):
    """`pages` (guidance pages) with their topic, target and feedback, all in one query.

    Adds `topic_title`, `target`, `over_target` (years above the target,
    negative below; None without an estimate), `responses`, `useful` and
    `percent_useful` (None without responses).
    """
    from feedback.models import FeedbackResponse

    topics = _parent_topics()
    responses = FeedbackResponse.objects.filter(page=OuterRef("pk"))
    return pages.annotate(
        topic_title=Subquery(topics.values("title")[:1]),
        target=Coalesce(Subquery(topics.values("target_reading_age")[:1]), DEFAULT_TARGET),
        over_target=F("reading_age") - F("target"),
        responses=_count(responses),
        useful=_count(responses.filter(useful=True)),
        percent_useful=Value(100.0)
        * Cast("useful", FloatField())
        / NullIf(Cast("responses", FloatField()), 0.0),
    )


def rounded(value):
    return None if value is None else round(value, 1)


# ---------------------------------------------------------------------------
# The editor's panel.


class ReadingAgePanel(Panel):
    """The published version's reading age, the topic's target and the hardest sentences.

    Read-only: it adds no form fields. The figures are those stored at the
    last publish; the panel says so, and says when.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Reading age")
        kwargs.setdefault("icon", "glasses")
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "guidance/admin/reading_age_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            parent = getattr(self.form, "parent_page", None)
            if parent is None and page.pk is not None:
                parent = page.get_parent()
            target = target_for(parent)
            age = page.reading_age if page.pk is not None else None
            context.update(
                {
                    "formula": FORMULA,
                    "target": target,
                    "reading_age": age,
                    "over_target": rounded(age - target) if age is not None else None,
                    "words": page.reading_age_words,
                    "few_words": age is not None and (page.reading_age_words or 0) < FEW_WORDS,
                    "hardest": page.reading_age_hardest or [],
                    "computed_at": page.reading_age_computed_at,
                }
            )
            return context
