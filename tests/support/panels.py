"""Admin panels rendered outside the page editor, as the editor would render them for a user."""

from django.test import RequestFactory
from wagtail.admin.panels import ObjectList

from feedback.reports.panels import PageFeedbackPanel
from guidance.models import GuidancePage
from tests.support.html import parse


def render_page_panel(page, user):
    """The "Feedback" panel of a guidance page's editor, parsed, as `user` sees it."""
    handler = ObjectList([PageFeedbackPanel()]).bind_to_model(GuidancePage)
    request = RequestFactory().get("/admin/pages/")
    request.user = user
    form = handler.get_form_class()(instance=page, for_user=user)
    bound = handler.get_bound_panel(instance=page, request=request, form=form)
    return parse(bound.render_html())
