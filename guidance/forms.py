"""Admin forms of the guidance app."""

from django import forms
from wagtail.forms import TaskStateCommentForm


class ReviewApprovalForm(TaskStateCommentForm):
    """The reviewer's "Approve with comment" dialog, with the review date it can record."""

    record_review = forms.BooleanField(
        label="Record today as this page's last review",
        help_text=(
            "Guidance pages only. Sets Last reviewed to today and, if the next review "
            "date has passed or is not set, to a year from today."
        ),
        required=False,
    )
