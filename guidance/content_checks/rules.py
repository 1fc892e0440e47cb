"""The safeguarding rules' data, shared by both checkers: patterns, phrases, rules, check ids.

Patterns are written to mean the same in Python's `re` and JavaScript's
`RegExp`: they travel to the browser as the axe checks' options
(guidance/content_checks/checker.py) and are applied on save
(guidance/content_checks/on_save.py).
"""

import re
from dataclasses import dataclass

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
