"""`{% feedback_form page %}`: the page feedback form, used by guidance page templates."""

from django import template

from feedback.forms import FeedbackForm

register = template.Library()


@register.inclusion_tag("components/feedback_form.html")
def feedback_form(page):
    """An empty form for `page`; its reasons are the active `VisitReason`s."""
    return {"form": FeedbackForm(initial={"page": page.pk}), "page": page}
