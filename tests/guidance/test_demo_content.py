"""`manage.py load_demo_content`: the demo site, built once and left alone on re-runs."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page, ReferenceIndex, Revision, Site, WorkflowPage

from feedback.models import FeedbackResponse
from feedback.reports.history import BETTER, page_history
from guidance.models import (
    GuidancePage,
    GuidancePageRelatedPage,
    HomePage,
    SafetySettings,
    SignpostingContact,
    SiteHelpContact,
    TopicPage,
)
from tests.support.html import parse

pytestmark = pytest.mark.django_db

SEXTING_SECTION_HEADINGS = [
    "Know the law",
    "Police action – the proportionate approach",
    "Outcome 21",
    "If you are under 18, think before you take or share a photo",
    "Guidance and support",
]
GUIDANCE_SLUGS = {"sexting", "cover-your-tracks-online", "online-grooming"}


def load_demo_content():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


def snapshot():
    """Everything a re-run could change: counts, revisions and stored content."""
    pages = {
        page.url_path: (
            type(page).__name__,
            page.title,
            page.live,
            page.latest_revision_id,
            getattr(page, "summary", None),
            getattr(page, "intro", None),
            page.body.get_prep_value() if isinstance(page, GuidancePage) else None,
            page.related_pages.count() if isinstance(page, GuidancePage) else None,
        )
        for page in Page.objects.specific()
    }
    contacts = list(
        SignpostingContact.objects.values_list(
            "pk", "name", "phone", "helps_with", "live", "latest_revision_id"
        )
    )
    return {
        "pages": pages,
        "contacts": contacts,
        "revisions": Revision.objects.count(),
        "related links": GuidancePageRelatedPage.objects.count(),
        "sites": list(Site.objects.values()),
        "settings": list(SafetySettings.objects.values()),
        "help contacts": list(SiteHelpContact.objects.order_by("sort_order").values()),
        "search promotions": list(SearchPromotion.objects.values()),
        "feedback": list(FeedbackResponse.objects.values()),
    }


def sexting_page():
    return GuidancePage.objects.get(slug="sexting")


def nspcc():
    return SignpostingContact.objects.get(name="NSPCC helpline")


def test_second_run_changes_nothing():
    first_output = load_demo_content()
    before = snapshot()

    second_output = load_demo_content()

    assert snapshot() == before
    assert "created" in first_output
    assert "created" not in second_output
    assert "updated" not in second_output


def test_replaces_welcome_page_and_keeps_default_site():
    default_site = Site.objects.get(is_default_site=True)

    load_demo_content()

    site = Site.objects.get(is_default_site=True)
    assert site.pk == default_site.pk
    assert (site.hostname, site.port) == ("localhost", 80)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.live
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()


def test_refuses_to_replace_an_edited_welcome_page():
    welcome = Page.objects.get(depth=2, slug="home")
    welcome.title = "Our real home page"
    welcome.save()

    with pytest.raises(CommandError, match="not a HomePage"):
        load_demo_content()

    assert Page.objects.filter(pk=welcome.pk, title="Our real home page").exists()


def test_topic_and_guidance_pages_are_live_under_home():
    load_demo_content()

    topic = TopicPage.objects.get(slug="online-safety")
    assert topic.live
    assert topic.get_parent().specific_class is HomePage
    guidance = GuidancePage.objects.child_of(topic)
    assert set(guidance.live().values_list("slug", flat=True)) == GUIDANCE_SLUGS
    # "Sexting" was published twice (see the version history test below).
    assert {page.slug: page.revisions.count() for page in guidance} == {
        "sexting": 2,
        "cover-your-tracks-online": 1,
        "online-grooming": 1,
    }
    assert sexting_page().url == "/online-safety/sexting/"


def test_seed_page_has_every_seed_section():
    load_demo_content()

    page = sexting_page()
    assert page.live
    assert [heading for _anchor, heading in page.table_of_contents] == SEXTING_SECTION_HEADINGS
    assert page.next_review_due.year == page.last_reviewed.year + 1


def test_demo_pages_use_every_block_type_and_pass_validation():
    load_demo_content()

    stream_block = GuidancePage._meta.get_field("body").stream_block
    used = set()
    for page in GuidancePage.objects.all():
        page.full_clean()
        stream_block.clean(page.body)
        used.update(block.block_type for block in page.body)
    assert used == set(stream_block.child_blocks)


def test_contacts_are_published_with_a_revision():
    load_demo_content()

    contacts = SignpostingContact.objects.all()
    assert contacts.count() == 6
    for contact in contacts:
        assert contact.live
        assert contact.live_revision is not None
        assert not contact.has_unpublished_changes
    assert SignpostingContact.objects.get(phone="999").is_emergency


def test_nspcc_contact_is_shown_on_several_live_pages():
    load_demo_content()

    referring = ReferenceIndex.get_grouped_references_to(nspcc())
    pages = [obj for obj, _references in referring if isinstance(obj, Page) and obj.live]
    assert len(pages) >= 2


def test_guidance_pages_link_to_each_other():
    load_demo_content()

    for page in GuidancePage.objects.all():
        related = {linked.slug for linked in page.live_related_pages}
        assert related == GUIDANCE_SLUGS - {page.slug}


def test_safety_settings_exit_url_is_https():
    load_demo_content()

    settings = SafetySettings.for_site(Site.objects.get(is_default_site=True))
    assert settings.neutral_exit_url == "https://www.bbc.co.uk/weather"


def test_restores_an_edited_page_with_one_new_revision():
    load_demo_content()
    page = sexting_page()
    original_summary = page.summary
    page.summary = "Edited by someone."
    page.save_revision().publish()
    revisions = Revision.objects.count()

    output = load_demo_content()

    assert sexting_page().summary == original_summary
    assert Revision.objects.count() == revisions + 1
    assert "Guidance pages: 1 updated, 2 unchanged" in output


def test_republishes_an_edited_contact():
    load_demo_content()
    contact = nspcc()
    contact.phone = "0800 000 0000"
    contact.save()

    load_demo_content()

    contact = nspcc()
    assert contact.phone == "0808 800 5000"
    assert contact.revisions.count() == 2
    assert SignpostingContact.objects.filter(name="NSPCC helpline").count() == 1


def test_sexting_page_renders_its_sections_and_helpline(client):
    load_demo_content()

    response = client.get("/online-safety/sexting/")

    assert response.status_code == 200
    html = response.content.decode()
    headings = [h2.get_text(" ", strip=True) for h2 in parse(html)("h2")]
    for heading in SEXTING_SECTION_HEADINGS:
        assert heading in headings
    assert 'href="tel:08088005000"' in html


def test_the_demo_has_something_for_each_governance_screen():
    load_demo_content()
    half_a_year_ago = datetime.date.today() - datetime.timedelta(days=183)

    overdue = GuidancePage.objects.live().overdue()
    stale = SignpostingContact.objects.filter(last_verified__lt=half_a_year_ago)

    assert "cover-your-tracks-online" in {page.slug for page in overdue}
    assert "GP or local community services" in {contact.name for contact in stale}
    assert SiteHelpContact.objects.count() == 5
    promotion = SearchPromotion.objects.get()
    assert (promotion.query.query_string, promotion.page.slug) == ("nudes", "sexting")
    assert WorkflowPage.objects.get(page__depth=1).workflow.name == "Safeguarding review"


def test_the_seed_page_has_two_versions_with_feedback_to_compare():
    load_demo_content()

    history = page_history(sexting_page())

    first, second = history.versions
    assert first.went_live_at < second.went_live_at
    assert (first.responses, first.useful) == (40, 14)
    assert (second.responses, second.useful) == (40, 32)
    assert second.is_live and second.change == BETTER
    assert history.unrecorded == 0
    # Each answer was sent while its version was live.
    for version, ends in ((first, second.went_live_at), (second, None)):
        sent = FeedbackResponse.objects.filter(page_revision_id=version.revision_id)
        assert all(version.went_live_at < r.submitted_at for r in sent)
        assert ends is None or all(r.submitted_at < ends for r in sent)
