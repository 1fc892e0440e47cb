"""StreamField blocks for guidance pages.

`GuidanceStreamBlock` is the body of a `GuidancePage`. It allows what plain,
calm safeguarding guidance needs: section headings (which build the "On this
page" list), short rich text, call-outs ("Know the law", warnings, insets), a
quote to reflect on, bulleted or numbered points, questions and answers, and
signposting contacts chosen from the `SignpostingContact` snippet.

Left out on purpose: images and embeds (they carry meaning without text and
embeds load from other origins), raw HTML, tables and headings below h3
(long, deep pages are hard to read in a hurry).

Each block renders with `templates/guidance/blocks/<block_snake>.html`.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

# Rich text stays simple: no images, no embeds, no headings above h3.
PARAGRAPH_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]
SHORT_TEXT_FEATURES = ["bold", "italic", "link"]


# Element ids the page layout already uses; a heading must not take one.
RESERVED_ANCHORS = {"main-content", "on-this-page", "page-feedback", "quick-exit", "top"}


class SectionHeadingValue(blocks.StructValue):
    @property
    def anchor(self):
        anchor = slugify(self.get("heading", "")) or "section"
        return f"{anchor}-section" if anchor in RESERVED_ANCHORS else anchor


class SectionHeadingBlock(blocks.StructBlock):
    """A section heading (h2); every one is listed in "On this page"."""

    heading = blocks.CharBlock(max_length=120, help_text="Short and plain, such as 'Know the law'.")

    class Meta:
        icon = "title"
        label = "Section heading"
        description = "Starts a section; listed under 'On this page'."
        template = "guidance/blocks/section_heading_block.html"
        value_class = SectionHeadingValue
        preview_value = {"heading": "Police action"}


class ParagraphBlock(blocks.RichTextBlock):
    """Body text: paragraphs, sub-headings, lists and links."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", PARAGRAPH_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = "Text"
        description = "Plain paragraphs, with links and simple lists."
        template = "guidance/blocks/paragraph_block.html"
        preview_value = (
            "<p>A police officer will establish the facts and decide what support is needed.</p>"
        )


class BaseCalloutBlock(blocks.StructBlock):
    """Shared shape of the call-outs: an optional heading over short text.

    Variants differ by template (border, heading level, label), never by
    colour alone.
    """

    heading = blocks.CharBlock(required=False, max_length=120)
    text = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)

    class Meta:
        abstract = True


class KnowTheLawBlock(BaseCalloutBlock):
    """What the law says, set apart so readers can find it quickly."""

    heading = blocks.CharBlock(required=False, max_length=120, default="Know the law")

    class Meta:
        icon = "doc-full"
        label = "Know the law"
        description = "A call-out stating what the law says."
        template = "guidance/blocks/know_the_law_block.html"
        preview_value = {
            "heading": "Know the law",
            "text": "<p>It is against the law to share a sexual image of anyone under 18.</p>",
        }


class WarningBlock(BaseCalloutBlock):
    """Something the reader must not miss, such as a risk or a consequence."""

    class Meta:
        icon = "warning"
        label = "Warning"
        description = "A risk or consequence the reader must not miss."
        template = "guidance/blocks/warning_block.html"
        preview_value = {
            "heading": "Once it is sent, it is out of your control",
            "text": "<p>An image can be copied and shared with anyone.</p>",
        }


class InsetBlock(BaseCalloutBlock):
    """Supporting information set slightly apart from the main text."""

    class Meta:
        icon = "info-circle"
        label = "Inset"
        description = "Supporting information set apart from the text."
        template = "guidance/blocks/inset_block.html"
        preview_value = {
            "heading": "",
            "text": "<p>Recording a crime does not mean a criminal record.</p>",
        }


class QuoteBlock(blocks.StructBlock):
    """A question or saying for the reader to reflect on."""

    quote = blocks.TextBlock(max_length=400)
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = "Quote"
        description = "A question or saying to reflect on."
        template = "guidance/blocks/quote_block.html"
        preview_value = {
            "quote": "Would I be happy for my family or a future employer to see this?",
            "attribution": "",
        }


class PointListBlock(blocks.StructBlock):
    """A short lead-in followed by bulleted points or numbered steps."""

    intro = blocks.CharBlock(required=False, max_length=200)
    numbered = blocks.BooleanBlock(
        required=False, help_text="Number the points when they are steps to follow in order."
    )
    points = blocks.ListBlock(blocks.RichTextBlock(features=SHORT_TEXT_FEATURES), min_num=1)

    class Meta:
        icon = "list-ul"
        label = "List of points"
        description = "Bulleted points, or numbered steps."
        template = "guidance/blocks/point_list_block.html"
        preview_value = {
            "intro": "If you are under 18, it is against the law to:",
            "numbered": False,
            "points": [
                "<p>take, have or share a sexual photo of yourself</p>",
                "<p>pass on a sexual image of someone under 18</p>",
            ],
        }


class QuestionAnswerBlock(blocks.StructBlock):
    """A question that opens to show its answer (HTML details; no JavaScript)."""

    question = blocks.CharBlock(max_length=200)
    answer = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)

    class Meta:
        icon = "help"
        label = "Question and answer"
        description = "A question the reader can open to see the answer."
        template = "guidance/blocks/question_answer_block.html"
        preview_value = {
            "question": "Will my child get a criminal record?",
            "answer": "<p>Usually not. Most cases are recorded as Outcome 21.</p>",
        }


def contacts_preview_value(contact_model):
    """The block picker's preview: real published contacts, or an example if there are none.

    The model comes from the block's chooser (`target_model`): this module sits
    below the models, which build their pages' bodies from it.
    """
    contacts = list(contact_model.objects.filter(live=True)[:2])
    if not contacts:
        contacts = [
            contact_model(
                name="NSPCC helpline",
                helps_with="Advice if you are worried about a child.",
                phone="0808 800 5000",
                phone_hours="24 hours a day",
                website="https://www.nspcc.org.uk/",
                live=True,
            )
        ]
    return {"heading": "Get help and support", "intro": "", "contacts": contacts}


class SignpostingContactsBlock(blocks.StructBlock):
    """Help contacts chosen from the shared `SignpostingContact` snippets.

    Contacts are edited once and shown everywhere; an unpublished or deleted
    contact is simply left out.
    """

    heading = blocks.CharBlock(required=False, max_length=120, default="Get help and support")
    intro = blocks.RichTextBlock(required=False, features=SHORT_TEXT_FEATURES)
    contacts = blocks.ListBlock(SnippetChooserBlock("guidance.SignpostingContact"), min_num=1)

    class Meta:
        icon = "group"
        label = "Signposting contacts"
        description = "Helplines and services, edited once and shown everywhere."
        template = "guidance/blocks/signposting_contacts_block.html"
        # Replaced at preview time by get_preview_value (real contacts).
        preview_value = {"heading": "Get help and support", "intro": "", "contacts": []}

    def get_preview_value(self):
        contact_model = self.child_blocks["contacts"].child_block.target_model
        return self.normalize(contacts_preview_value(contact_model))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        live = [contact for contact in value.get("contacts", []) if contact and contact.live]
        # Emergency services first; a stable sort keeps the editor's order otherwise.
        context["live_contacts"] = sorted(live, key=lambda contact: not contact.is_emergency)
        return context


class GuidanceStreamBlock(blocks.StreamBlock):
    """The body of a guidance page."""

    section_heading = SectionHeadingBlock()
    paragraph = ParagraphBlock()
    know_the_law = KnowTheLawBlock()
    warning = WarningBlock()
    inset = InsetBlock()
    quote = QuoteBlock()
    point_list = PointListBlock()
    question_answer = QuestionAnswerBlock()
    signposting_contacts = SignpostingContactsBlock()

    def clean(self, value):
        value = super().clean(value)
        # Section anchors come from the heading text, so two identical
        # headings would share one link target in "On this page".
        seen = {}
        block_errors = {}
        for index, child in enumerate(value):
            if child.block_type != "section_heading":
                continue
            anchor = child.value.anchor
            if anchor in seen:
                block_errors[index] = StructBlockValidationError(
                    block_errors={
                        "heading": ValidationError(
                            "Another section on this page has the same heading. "
                            "Make each section heading different."
                        )
                    }
                )
            seen[anchor] = index
        if block_errors:
            raise blocks.StreamBlockValidationError(block_errors=block_errors)
        return value
