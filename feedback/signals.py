"""Every receiver of the feedback app, connected once by `FeedbackConfig.ready()`.

- A visit reason saved or deleted: the reasons appear in the feedback form
  on every page, so every cached page is dropped.
"""

from django.db.models.signals import post_delete, post_save

from portal.page_cache import purge_all

from .models import VisitReason


def purge_pages_with_the_form(sender, **kwargs):
    """The reasons appear in the form on every page: drop every cached page."""
    purge_all()


def connect():
    """Connect the receivers above (once, from `FeedbackConfig.ready()`)."""
    for signal in (post_save, post_delete):
        signal.connect(purge_pages_with_the_form, sender=VisitReason)
