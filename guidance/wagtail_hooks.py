"""Admin registration for the guidance app."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SignpostingContact


class SignpostingContactViewSet(SnippetViewSet):
    """Signposting contacts at /admin/snippets/guidance/signpostingcontact/."""

    model = SignpostingContact
    icon = "group"
    menu_label = "Signposting contacts"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "phone", "phone_hours", "is_emergency", "live"]
    list_filter = ["is_emergency", "live"]
    search_fields = ["name", "helps_with"]
    inspect_view_enabled = True


register_snippet(SignpostingContactViewSet)
