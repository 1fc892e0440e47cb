"""`{% reading_age_panel_update %}`: the editor's Reading age panel, sent again after an autosave.

Used in templates/wagtailadmin/pages/edit_partials.html, the HTML Wagtail's
editor returns with each autosave (and when a new page is first saved). It
renders `ReadingAgePanel` (guidance/reading_age.py) for the version just
saved, inside one of Wagtail's `w-teleport` templates that replaces the
panel on the screen. Page types without the panel get nothing, since a
teleport with no target is an error.
"""

from django import template
from django.template.loader import render_to_string

from guidance.panels import ReadingAgePanel

register = template.Library()


@register.simple_tag(takes_context=True)
def reading_age_panel_update(context):
    bound = ReadingAgePanel.bound_in(context.get("edit_handler"))
    if bound is None or not bound.is_shown():
        return ""
    return render_to_string(
        "guidance/admin/reading_age_panel_update.html",
        {"panel": bound.render_html(context.flatten())},
    )
