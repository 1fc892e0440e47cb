"""Admin screens in a real browser: a member of a group signed in, and axe on what they see.

axe runs with the same rules and tags as every page of ours
(tests/support/browser.py). Two parts of Wagtail's own page editor fail axe on
every Content tab with a rich text body, whatever our panels do: Draftail's
rich text boxes have no accessible name (`aria-input-field-name`) and the
minimap's list, whose links Wagtail takes out of the tab order while it is
collapsed, scrolls without keyboard access (`scrollable-region-focusable`).
Editor screens leave out only those elements (`WAGTAILS_OWN`).
"""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.support.browser import AXE, AXE_OPTIONS, describe, sign_in_with_the_form

PASSWORD = "a long staff passphrase"
WIDTH = 1280
WAGTAILS_OWN = [[".public-DraftEditor-content"], [".w-minimap__list"]]


@contextmanager
def signed_in_tab(browser, base_url, username, group):
    """A 1280 px tab in which a new member of `group` has signed in through the login form."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in_with_the_form(page, base_url, username, PASSWORD)
        page.wait_for_url(f"{base_url}/admin/")
        yield page
    finally:
        context.close()


def axe_violations(page, exclude=()):
    """axe's violations on the whole screen but `exclude`, described one per line ("" if none)."""
    page.evaluate("window.scrollTo(0, 0)")
    context = {"include": [["html"]], "exclude": list(exclude)} if exclude else None
    violations = AXE.run(page, context=context, options=AXE_OPTIONS).response["violations"]
    return "\n".join(describe(violation) for violation in violations)
