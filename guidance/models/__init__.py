"""The guidance app's models, at the bottom of the app: nothing here imports its views,
reports or admin hooks (the "models at the bottom" contract in .importlinter).

- `settings`: `SafetySettings` (a site setting) and its `SiteHelpContact` rows.
- `contacts`: the `SignpostingContact` snippet.
- `pages`: `HomePage` → `TopicPage` → `GuidancePage`, on `BasePage`.
- `review_task`: `SafeguardingReviewTask`, the "Safeguarding review" workflow's task.
- `search`: `NoResultsSearch`, the counts of searches that found nothing.

Everything is imported here, so `from guidance.models import X` works for each.
"""

from .contacts import (
    SignpostingContact,
    SignpostingContactQuerySet,
    phone_validator,
    sms_href,
    tel_href,
)
from .pages import (
    EDITING_ACTIONS,
    BasePage,
    GuidancePage,
    GuidancePageQuerySet,
    GuidancePageRelatedPage,
    HomePage,
    TopicPage,
)
from .review_task import SafeguardingReviewTask
from .search import NoResultsSearch, NoResultsSearchQuerySet
from .settings import (
    DEFAULT_NEUTRAL_EXIT_URL,
    SafetySettings,
    SiteHelpContact,
    safety_settings_saved,
)

__all__ = [
    "DEFAULT_NEUTRAL_EXIT_URL",
    "EDITING_ACTIONS",
    "BasePage",
    "GuidancePage",
    "GuidancePageQuerySet",
    "GuidancePageRelatedPage",
    "HomePage",
    "NoResultsSearch",
    "NoResultsSearchQuerySet",
    "SafeguardingReviewTask",
    "SafetySettings",
    "SignpostingContact",
    "SignpostingContactQuerySet",
    "SiteHelpContact",
    "TopicPage",
    "phone_validator",
    "safety_settings_saved",
    "sms_href",
    "tel_href",
]
