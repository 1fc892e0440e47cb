"""Safeguarding content checks: the rules, in one place, for the editor's two checkers.

Communications staff see these rules twice, and both read them from here so
the two never disagree:

- **In the page editor**, live: Wagtail's content checker (axe, run on the
  preview in the Checks side panel and from the user bar on the live page)
  gets our rules from `SafeguardingContentCheckerItem` (`checker.py`), which
  `guidance/wagtail_hooks.py` swaps in for Wagtail's own item. The phone
  number pattern and the vague link text pattern below travel to the browser
  as the axe checks' options; `static/js/content_checks.js` only holds the two
  small functions that apply them.
- **After "Save draft", "Publish" or a workflow action**: `warn_after_save`
  (`on_save.py`) runs the same rules on the page's StreamField data and shows a warning
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

from .checker import (
    SafeguardingContentCheckerItem,
    axe_custom_checks,
    axe_custom_rules,
    axe_messages,
    use_safeguarding_checker,
)
from .on_save import (
    Finding,
    check_body,
    check_page,
    read_rich_text,
    shows_a_contact,
    warn_after_save,
    warning_html,
)
from .rules import (
    BODY_SELECTOR,
    CONTACT_CARD_SELECTOR,
    CONTACT_CHECK,
    HEADING_ORDER,
    LINK_TEXT_CHECK,
    NO_SIGNPOSTING_CONTACT,
    OUR_RULES,
    PHONE_NUMBER_CHECK,
    PHONE_NUMBER_PATTERN,
    PHONE_NUMBER_RE,
    RICH_TEXT_SELECTORS,
    RULES,
    UNLINKED_PHONE_NUMBER,
    VAGUE_LINK_PHRASES,
    VAGUE_LINK_TEXT,
    VAGUE_LINK_TEXT_PATTERN,
    VAGUE_LINK_TEXT_RE,
    Rule,
    is_vague_link_text,
    phone_numbers_in,
)

__all__ = [
    "BODY_SELECTOR",
    "CONTACT_CARD_SELECTOR",
    "CONTACT_CHECK",
    "Finding",
    "HEADING_ORDER",
    "LINK_TEXT_CHECK",
    "NO_SIGNPOSTING_CONTACT",
    "OUR_RULES",
    "PHONE_NUMBER_CHECK",
    "PHONE_NUMBER_PATTERN",
    "PHONE_NUMBER_RE",
    "RICH_TEXT_SELECTORS",
    "RULES",
    "Rule",
    "SafeguardingContentCheckerItem",
    "UNLINKED_PHONE_NUMBER",
    "VAGUE_LINK_PHRASES",
    "VAGUE_LINK_TEXT",
    "VAGUE_LINK_TEXT_PATTERN",
    "VAGUE_LINK_TEXT_RE",
    "axe_custom_checks",
    "axe_custom_rules",
    "axe_messages",
    "check_body",
    "check_page",
    "is_vague_link_text",
    "phone_numbers_in",
    "read_rich_text",
    "shows_a_contact",
    "use_safeguarding_checker",
    "warn_after_save",
    "warning_html",
]
