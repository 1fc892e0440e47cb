"""Who may read and download feedback: `feedback.view_feedbackresponse` and
`feedback.export_feedbackresponse` (the custom permission on `FeedbackResponse`).

Used by the reports, the dashboard and editor panels and the menu; kept apart
from the views so that page models can import the editor panel without
loading the admin's views while apps are loading.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from .models import FeedbackResponse

feedback_permission_policy = ModelPermissionPolicy(FeedbackResponse)


def can_view_feedback(user):
    return feedback_permission_policy.user_has_permission(user, "view")


def can_export_feedback(user):
    return feedback_permission_policy.user_has_permission(user, "export")
