"""The one kind of admin menu entry the apps add: shown to those a permission check lets in.

Every report (and the Roles screen) registers its entry with
`PermissionMenuItem` in its app's `wagtail_hooks.py`, naming the check that
also guards its view, so the menu never offers what the view refuses:

    @hooks.register("register_reports_menu_item")
    def review_due_menu_item():
        return PermissionMenuItem(
            "Guidance due for review", reverse("guidance_reports:review_due"),
            is_shown=can_edit_pages, name="guidance-review-due", icon_name="time", order=1050,
        )
"""

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """Wagtail's `MenuItem`, shown only when `is_shown(user)` is true.

    `is_shown` takes the signed-in user (the same function the view checks);
    every other argument is `MenuItem`'s (`name`, `icon_name`, `order`, ...).
    """

    def __init__(self, label, url, *, is_shown, **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown_to = is_shown

    def is_shown(self, request):
        return bool(self.shown_to(request.user))
