"""Safeguarding content checks: the rules, in one place, for the editor's two checkers.

Communications staff see these rules twice, and both read them from here so
the two never disagree:

- **In the page editor**, live: Wagtail's content checker (axe, run on the
  preview in the Checks side panel and from the user bar on the live page)
  gets our rules from `SafeguardingContentCheckerItem`, which
  `guidance/wagtail_hooks.py` swaps in for Wagtail's own item. The phone
  number pattern and the vague link text pattern below travel to the browser
  as the axe checks' options; `static/js/content_checks.js` only holds the two
  small functions that apply them.
- **After "Save draft", "Publish" or a workflow action**: `warn_after_save`
  runs the same rules on the page's StreamField data and shows a warning
  message. It never stops the save or the publish.

The rules (see docs/content_checks.md):

- a phone number typed in rich text but not linked (`<a href="tel:…">`);
- a guidance page with no signposting contact shown (no signposting
  contacts block with a published contact);
- vague link text ("click here", "read more", …);
- a skipped heading level: axe's own `heading-order` rule, which Wagtail
  already runs; we keep it on and give it a plain-English message. It is
  not checked on save: only the rendered page knows every heading's level.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from wagtail.admin import messages
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.blocks import StructValue
from wagtail.blocks.list_block import ListValue
from wagtail.rich_text import RichText

from .models import GuidancePage

# ---------------------------------------------------------------------------
# The data both checkers use. Patterns are written to mean the same in
# Python's `re` and JavaScript's `RegExp` (explicit [0-9] and [A-Za-z] classes,
# no flags other than case-insensitivity, no Python-only syntax). The phone
# pattern's look-behind needs a browser from 2023 or later (Safari 16.4).

# A space, no-break space or hyphen may group the digits: "0808 800 5000".
_GAP = r"[ \u00a0-]?"
PHONE_NUMBER_PATTERN = (
    # Not the tail of a longer number, word, price, time or address ("1999",
    # "£999", "10:01", "page/101").
    r"(?<![0-9A-Za-z_+£$€.,:/#-])"
    r"(?:"
    # +44 20 7946 0000, +44 (0)808 800 5000
    rf"\+44[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9](?:{_GAP}[0-9]){{8,9}}"
    # 0808 800 5000, 0800 1111, 020 7946 0000, (01632) 960000, 07700 900123
    rf"|\(?0[0-9]{{2,4}}\)?(?:{_GAP}[0-9]){{4,8}}"
    # 116 123 (Samaritans), 116 000 and the other 116 helplines
    r"|116[ \u00a0]?[0-9]{3}"
    # 999 and 112 (emergency), 101 (police non-emergency), 111 (NHS)
    r"|999|112|111|101"
    r")"
    # Not followed by more of a number or word ("1010", "999,000", "101st").
    r"(?![0-9A-Za-z_]|[.,][0-9])"
)
PHONE_NUMBER_RE = re.compile(PHONE_NUMBER_PATTERN)

# Link text that says nothing about where the link goes, compared without
# regard to case, surrounding spaces or punctuation.
VAGUE_LINK_PHRASES = (
    "click here",
    "click this link",
    "click",
    "find out more",
    "here",
    "learn more",
    "link",
    "more",
    "more information",
    "more info",
    "read more",
    "see more",
    "this",
    "this link",
    "this page",
    "this website",
    "website",
)
_LINK_TEXT_EDGE = "[\\s\"'“”‘’()\\[\\].,:;!?…»›>-]*"
VAGUE_LINK_TEXT_PATTERN = (
    f"^{_LINK_TEXT_EDGE}(?:"
    + "|".join(re.escape(phrase).replace("\\ ", "\\s+") for phrase in VAGUE_LINK_PHRASES)
    + f"){_LINK_TEXT_EDGE}$"
)
VAGUE_LINK_TEXT_RE = re.compile(VAGUE_LINK_TEXT_PATTERN, re.IGNORECASE)

# What the rendered page looks like (templates/guidance/guidance_page.html and
# templates/guidance/blocks/): the body, its rich text and the contact cards.
BODY_SELECTOR = ".guidance-body"
RICH_TEXT_SELECTORS = (f"{BODY_SELECTOR} .rich-text", f"{BODY_SELECTOR} .point-list li")
CONTACT_CARD_SELECTOR = ".contact-card"


def is_vague_link_text(text):
    return bool(text.strip()) and VAGUE_LINK_TEXT_RE.search(text) is not None


def phone_numbers_in(text):
    """The phone numbers written in `text`, in order."""
    return [match.group(0) for match in PHONE_NUMBER_RE.finditer(text)]


# ---------------------------------------------------------------------------
# The rules, with the words the editor sees in the Checks panel and in the
# warning after saving.


@dataclass(frozen=True)
class Rule:
    id: str  # the axe rule id
    title: str
    help: str


UNLINKED_PHONE_NUMBER = Rule(
    id="safeguarding-phone-number-not-linked",
    title="Phone number not linked",
    help=(
        "Visitors on a phone cannot tap this number to call it. Show the service in a "
        "'Signposting contacts' block instead (its number is checked and kept up to date "
        "in one place), or make the number a link: select it, choose the link button, "
        "then 'Phone link'."
    ),
)
NO_SIGNPOSTING_CONTACT = Rule(
    id="safeguarding-no-signposting-contact",
    title="No help contacts on this page",
    help=(
        "Every guidance page must tell visitors where to get help. Add a 'Signposting "
        "contacts' block with at least one published contact, such as the NSPCC helpline "
        "or the police."
    ),
)
VAGUE_LINK_TEXT = Rule(
    id="safeguarding-vague-link-text",
    title="Link text does not say where it goes",
    help=(
        "Links such as 'click here' or 'read more' make no sense on their own, and that "
        "is how screen readers and people skimming in a hurry meet them. Use words that "
        "say where the link goes, such as 'NSPCC advice on sexting'."
    ),
)
# axe's built-in rule, in Wagtail's default set; only its message is ours.
HEADING_ORDER = Rule(
    id="heading-order",
    title="Heading levels skipped",
    help=(
        "Headings must go down one level at a time, or people using screen readers lose "
        "their place. Sub-headings and call-out headings sit under a section heading: add "
        "a 'Section heading' block above this heading."
    ),
)
RULES = (UNLINKED_PHONE_NUMBER, NO_SIGNPOSTING_CONTACT, VAGUE_LINK_TEXT, HEADING_ORDER)
OUR_RULES = (UNLINKED_PHONE_NUMBER, NO_SIGNPOSTING_CONTACT, VAGUE_LINK_TEXT)

# Check ids: static/js/content_checks.js registers its functions under the
# first two; the third uses axe's own `has-descendant` check.
PHONE_NUMBER_CHECK = "safeguarding-no-unlinked-phone-number"
LINK_TEXT_CHECK = "safeguarding-descriptive-link-text"
CONTACT_CHECK = "safeguarding-has-contact-card"


# ---------------------------------------------------------------------------
# The axe configuration for Wagtail's content checker.


def axe_custom_checks():
    return [
        {"id": PHONE_NUMBER_CHECK, "options": {"pattern": PHONE_NUMBER_PATTERN}},
        {"id": LINK_TEXT_CHECK, "options": {"pattern": VAGUE_LINK_TEXT_PATTERN}},
        {
            # A check axe already has, named by its id: no code of ours runs.
            "id": CONTACT_CHECK,
            "evaluate": "has-descendant-evaluate",
            "options": {"selector": CONTACT_CARD_SELECTOR},
        },
    ]


def axe_custom_rules():
    # excludeHidden off: the answer of a closed "Question and answer" block
    # is hidden until opened, and still needs checking.
    return [
        {
            "id": UNLINKED_PHONE_NUMBER.id,
            "impact": "serious",
            "selector": ", ".join(RICH_TEXT_SELECTORS),
            "excludeHidden": False,
            "tags": ["safeguarding"],
            "any": [PHONE_NUMBER_CHECK],
            "enabled": True,
        },
        {
            "id": NO_SIGNPOSTING_CONTACT.id,
            "impact": "serious",
            "selector": BODY_SELECTOR,
            "tags": ["safeguarding"],
            "any": [CONTACT_CHECK],
            "enabled": True,
        },
        {
            "id": VAGUE_LINK_TEXT.id,
            "impact": "serious",
            "selector": ", ".join(f"{selector} a[href]" for selector in RICH_TEXT_SELECTORS),
            "excludeHidden": False,
            "tags": ["safeguarding"],
            "any": [LINK_TEXT_CHECK],
            "enabled": True,
        },
    ]


def axe_messages():
    return {rule.id: {"error_name": rule.title, "help_text": rule.help} for rule in RULES}


class SafeguardingContentCheckerItem(ContentCheckerItem):
    """Wagtail's content checker with our rules added, and `heading-order` kept on.

    Used in the user bar, the preview and the editor's Checks panel (they all
    build their configuration through the `construct_wagtail_userbar` hook).
    Its script registers the check functions; Wagtail's user bar loads it
    after its own `userbar.js`, before the checker starts on window load.
    """

    class Media:
        js = ["js/content_checks.js"]

    def get_axe_run_only(self, request):
        run_only = super().get_axe_run_only(request)
        if not run_only:  # every rule runs anyway
            return run_only
        ours = [HEADING_ORDER.id, *(rule.id for rule in OUR_RULES)]
        return [*run_only, *(rule_id for rule_id in ours if rule_id not in run_only)]

    def get_axe_rules(self, request):
        return {**super().get_axe_rules(request), HEADING_ORDER.id: {"enabled": True}}

    def get_axe_custom_rules(self, request):
        return [*super().get_axe_custom_rules(request), *axe_custom_rules()]

    def get_axe_custom_checks(self, request):
        return [*super().get_axe_custom_checks(request), *axe_custom_checks()]

    def get_axe_messages(self, request):
        return {**super().get_axe_messages(request), **axe_messages()}


def use_safeguarding_checker(items):
    """Swap Wagtail's content checker item(s) in `items` for ours, in place."""
    items[:] = [
        SafeguardingContentCheckerItem(in_editor=item.in_editor)
        if isinstance(item, ContentCheckerItem)
        and not isinstance(item, SafeguardingContentCheckerItem)
        else item
        for item in items
    ]


# ---------------------------------------------------------------------------
# The same rules on a page's StreamField data, for the warning after saving.

# Tags after which rendered text starts a new line: a number never runs on
# from one paragraph or list item into the next.
_BREAKS = {"p", "li", "ul", "ol", "br", "div", "h2", "h3", "h4", "h5", "h6", "blockquote"}


class _RichTextReader(HTMLParser):
    """Reads rich text (database format) as the browser check reads the page.

    `text` is the text outside phone (`tel:`) links, with a line break for
    each such link and each paragraph or list item; `links` is the text of
    every link.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []
        self._link = None  # text parts of the open link
        self._in_phone_link = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._link = []
            href = (dict(attrs).get("href") or "").strip().lower()
            self._in_phone_link = href.startswith("tel:")
            if self._in_phone_link:
                self.parts.append("\n")
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "a":
            if self._link is not None:
                self.links.append("".join(self._link))
            self._link = None
            self._in_phone_link = False
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._link is not None:
            self._link.append(data)
        if not self._in_phone_link:
            self.parts.append(data)

    @property
    def text(self):
        return "".join(self.parts)


def read_rich_text(source):
    reader = _RichTextReader()
    reader.feed(source or "")
    reader.close()
    return reader


@dataclass(frozen=True)
class Finding:
    rule: Rule
    where: str  # plain words: what was found, in which block ("" for the whole page)


def _rich_texts(value):
    """Every rich text inside a block's value, in order."""
    if isinstance(value, RichText):
        yield value
    elif isinstance(value, StructValue):
        for child in value.values():
            yield from _rich_texts(child)
    elif isinstance(value, ListValue | list | tuple):
        for child in value:
            yield from _rich_texts(child)


def _quote(text, length=60):
    text = " ".join(text.split())
    return "“" + Truncator(text).chars(length) + "”"


def _block_findings(child):
    label = str(child.block.label)
    for rich_text in _rich_texts(child.value):
        reader = read_rich_text(rich_text.source)
        context = _quote(reader.text)
        for number in phone_numbers_in(reader.text):
            where = f"“{number}” in the {label} block {context}"
            yield Finding(UNLINKED_PHONE_NUMBER, where)
        for link_text in reader.links:
            if is_vague_link_text(link_text):
                where = f"the link {_quote(link_text)} in the {label} block {context}"
                yield Finding(VAGUE_LINK_TEXT, where)


def shows_a_contact(body):
    """Whether some signposting contacts block in `body` shows a published contact."""
    return any(
        contact is not None and contact.live
        for child in body
        if child.block_type == "signposting_contacts"
        for contact in child.value.get("contacts") or []
    )


def check_body(body):
    """The findings for a guidance page body (a StreamValue), in page order."""
    findings = []
    for child in body:
        findings.extend(_block_findings(child))
    if not shows_a_contact(body):
        findings.append(Finding(NO_SIGNPOSTING_CONTACT, ""))
    return findings


def check_page(page):
    """The findings for a page: guidance pages are checked, other pages have none."""
    page = page if isinstance(page, GuidancePage) else page.specific_deferred
    return check_body(page.body) if isinstance(page, GuidancePage) else []


def warning_html(page, findings):
    """The warning shown after saving: one line per rule, with where and what to fix."""
    by_rule = {}
    for finding in findings:
        places = by_rule.setdefault(finding.rule, [])
        if finding.where:
            places.append(finding.where)
    items = format_html_join(
        "",
        "<li><strong>{}</strong>{} {}</li>",
        (
            (rule.title, f": {'; '.join(places)}." if places else ".", rule.help)
            for rule, places in by_rule.items()
        ),
    )
    return format_html(
        "“{}” was saved, but check it before visitors rely on it. These do not stop "
        "you publishing:<ul>{}</ul>",
        page.get_admin_display_title(),
        items,
    )


def warn_after_save(request, page):
    """Show the findings for `page` as a warning message; never blocks the save.

    Autosave and other requests that expect JSON are left alone: their
    messages would pile up for the next page the editor opens.
    """
    if not request.accepts("text/html"):
        return
    findings = check_page(page)
    if findings:
        messages.warning(request, warning_html(page, findings))
