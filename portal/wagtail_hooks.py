"""Admin hooks of the shared layer: recovery codes, names for Wagtail's dialogs, force staff.

- The page chooser lists only the pages a member of staff of some forces
  only may explore (portal/force_scope.py).
- The audit-log actions for using a recovery code and making a new set
  (written by `portal/two_factor.py`, shown under Reports → Site history).
- "Recovery codes" under Account → More actions, with how many are left.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from portal.force_scope import chooser_pages
from portal.models import RECOVERY_CODE_COUNT, RecoveryCode
from portal.two_factor import RECOVERY_CODE_USED, RECOVERY_CODES_MADE, codes_left_text


class RecoveryCodeUsedFormatter(LogFormatter):
    label = "Sign in with a recovery code"

    def format_message(self, log_entry):
        left = log_entry.data.get("left")
        return f"Signed in with a recovery code ({left} left)"


class RecoveryCodesMadeFormatter(LogFormatter):
    label = "Make recovery codes"

    def format_message(self, log_entry):
        count = log_entry.data.get("count", RECOVERY_CODE_COUNT)
        return f"Made a new set of {count} recovery codes; the old ones no longer work"


@hooks.register("register_log_actions")
def register_two_factor_log_actions(actions):
    actions.register_action(RECOVERY_CODE_USED)(RecoveryCodeUsedFormatter)
    actions.register_action(RECOVERY_CODES_MADE)(RecoveryCodesMadeFormatter)


@hooks.register("register_account_menu_item")
def recovery_codes_menu_item(request):
    if not settings.STAFF_TWO_FACTOR_REQUIRED:
        return None
    left = RecoveryCode.objects.for_user(request.user).unused().count()
    return {
        "url": reverse("two_factor_recovery_codes"),
        "label": "Recovery codes",
        "help_text": (
            f"You have {codes_left_text(left)}. Each signs you in once if you cannot "
            "use your authenticator app. Make a new set here."
        ),
    }


@hooks.register("insert_global_admin_js")
def name_admin_dialogs():
    """Every admin dialog named after its heading (static/js/admin_dialogs.js)."""
    return format_html('<script src="{}" defer></script>', static("js/admin_dialogs.js"))


@hooks.register("insert_global_admin_js")
def stop_autosave_once_sent():
    """No autosave after a review action or save is sent (static/js/admin_autosave.js)."""
    return format_html('<script src="{}" defer></script>', static("js/admin_autosave.js"))


@hooks.register("construct_page_chooser_queryset")
def only_own_forces_pages_in_the_chooser(pages, request):
    """Staff of some forces only choose among the pages they may explore."""
    return chooser_pages(pages, request)
