"""The same rules on a page's StreamField data, for the warning after saving.

`warn_after_save` (the `after_create_page` and `after_edit_page` hooks in
guidance/wagtail_hooks.py) shows a warning message; it never stops the save
or the publish.
"""

from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from wagtail.admin import messages
from wagtail.blocks import StructValue
from wagtail.blocks.list_block import ListValue
from wagtail.rich_text import RichText

from ..models import GuidancePage
from .rules import (
    NO_SIGNPOSTING_CONTACT,
    UNLINKED_PHONE_NUMBER,
    VAGUE_LINK_TEXT,
    Rule,
    is_vague_link_text,
    phone_numbers_in,
)

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
