"""Form data the Wagtail page editor posts, built with Wagtail's own form-data helpers."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from guidance.blocks import PARAGRAPH_FEATURES, SHORT_TEXT_FEATURES


def paragraph_text(text):
    return rich_text(f"<p>{text}</p>", features=PARAGRAPH_FEATURES)


def short_text(text):
    return rich_text(f"<p>{text}</p>", features=SHORT_TEXT_FEATURES)


def list_block(values):
    """Form data for a ListBlock, the counterpart of `streamfield` for lists."""
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i)} for i, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def guidance_form_data(title, body, related_pages=(), **fields):
    """The edit form of a guidance page: `body` is a list of (block type, form value) pairs."""
    data = {
        "title": title,
        "slug": "",
        "summary": f"Plain advice about {title.lower()}.",
        "body": streamfield(body),
        "related_pages": inline_formset([{"page": str(page.pk)} for page in related_pages]),
        "last_reviewed": "2026-01-15",
        "next_review_due": "",
        **fields,
    }
    if not data["slug"]:
        data["slug"] = title.lower().replace(" ", "-")
    return nested_form_data(data)
