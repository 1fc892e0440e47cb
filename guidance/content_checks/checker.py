"""The axe configuration for Wagtail's content checker: our rules in the editor's Checks panel.

`SafeguardingContentCheckerItem` adds our axe rules and checks, keeps
`heading-order` in `runOnly` and replaces the messages; `use_safeguarding_checker`
swaps it in for Wagtail's item (the `construct_wagtail_userbar` hook in
guidance/wagtail_hooks.py). static/js/content_checks.js holds the two small
check functions that apply the patterns.
"""

from wagtail.admin.userbar import ContentCheckerItem

from .rules import (
    BODY_SELECTOR,
    CONTACT_CARD_SELECTOR,
    CONTACT_CHECK,
    HEADING_ORDER,
    LINK_TEXT_CHECK,
    NO_SIGNPOSTING_CONTACT,
    OUR_RULES,
    PHONE_NUMBER_CHECK,
    PHONE_NUMBER_PATTERN,
    RICH_TEXT_SELECTORS,
    RULES,
    UNLINKED_PHONE_NUMBER,
    VAGUE_LINK_TEXT,
    VAGUE_LINK_TEXT_PATTERN,
)


def axe_custom_checks():
    return [
        {"id": PHONE_NUMBER_CHECK, "options": {"pattern": PHONE_NUMBER_PATTERN}},
        {"id": LINK_TEXT_CHECK, "options": {"pattern": VAGUE_LINK_TEXT_PATTERN}},
        {
            # A check axe already has, named by its id: no code of ours runs.
            "id": CONTACT_CHECK,
            "evaluate": "has-descendant-evaluate",
            "options": {"selector": CONTACT_CARD_SELECTOR},
        },
    ]


def axe_custom_rules():
    # excludeHidden off: the answer of a closed "Question and answer" block
    # is hidden until opened, and still needs checking.
    return [
        {
            "id": UNLINKED_PHONE_NUMBER.id,
            "impact": "serious",
            "selector": ", ".join(RICH_TEXT_SELECTORS),
            "excludeHidden": False,
            "tags": ["safeguarding"],
            "any": [PHONE_NUMBER_CHECK],
            "enabled": True,
        },
        {
            "id": NO_SIGNPOSTING_CONTACT.id,
            "impact": "serious",
            "selector": BODY_SELECTOR,
            "tags": ["safeguarding"],
            "any": [CONTACT_CHECK],
            "enabled": True,
        },
        {
            "id": VAGUE_LINK_TEXT.id,
            "impact": "serious",
            "selector": ", ".join(f"{selector} a[href]" for selector in RICH_TEXT_SELECTORS),
            "excludeHidden": False,
            "tags": ["safeguarding"],
            "any": [LINK_TEXT_CHECK],
            "enabled": True,
        },
    ]


def axe_messages():
    return {rule.id: {"error_name": rule.title, "help_text": rule.help} for rule in RULES}


class SafeguardingContentCheckerItem(ContentCheckerItem):
    """Wagtail's content checker with our rules added, and `heading-order` kept on.

    Used in the user bar, the preview and the editor's Checks panel (they all
    build their configuration through the `construct_wagtail_userbar` hook).
    Its script registers the check functions; Wagtail's user bar loads it
    after its own `userbar.js`, before the checker starts on window load.
    """

    class Media:
        js = ["js/content_checks.js"]

    def get_axe_run_only(self, request):
        run_only = super().get_axe_run_only(request)
        if not run_only:  # every rule runs anyway
            return run_only
        ours = [HEADING_ORDER.id, *(rule.id for rule in OUR_RULES)]
        return [*run_only, *(rule_id for rule_id in ours if rule_id not in run_only)]

    def get_axe_rules(self, request):
        return {**super().get_axe_rules(request), HEADING_ORDER.id: {"enabled": True}}

    def get_axe_custom_rules(self, request):
        return [*super().get_axe_custom_rules(request), *axe_custom_rules()]

    def get_axe_custom_checks(self, request):
        return [*super().get_axe_custom_checks(request), *axe_custom_checks()]

    def get_axe_messages(self, request):
        return {**super().get_axe_messages(request), **axe_messages()}


def use_safeguarding_checker(items):
    """Swap Wagtail's content checker item(s) in `items` for ours, in place."""
    items[:] = [
        SafeguardingContentCheckerItem(in_editor=item.in_editor)
        if isinstance(item, ContentCheckerItem)
        and not isinstance(item, SafeguardingContentCheckerItem)
        else item
        for item in items
    ]
