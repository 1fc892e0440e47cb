"""`manage.py load_demo_content`: the demo site, built once and left alone on re-runs."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import GroupPagePermission, Page, ReferenceIndex, Revision, Site, WorkflowPage

from feedback.models import FeedbackResponse
from feedback.reports.history import BETTER, page_history
from guidance import demo_content
from guidance.models import (
    GuidancePage,
    GuidancePageRelatedPage,
    HomePage,
    SafetySettings,
    SignpostingContact,
    SiteHelpContact,
    TopicPage,
)
from portal.models import ForceGroup, forces_of
from tests.support.html import parse, text_of

pytestmark = pytest.mark.django_db

SEXTING_SECTION_HEADINGS = [
    "Know the law",
    "Police action – the proportionate approach",
    "Outcome 21",
    "If you are under 18, think before you take or share a photo",
    "Guidance and support",
]
GUIDANCE_SLUGS = {"sexting", "cover-your-tracks-online", "online-grooming"}


SECOND = demo_content.SECOND_FORCE


def load_demo_content(**options):
    out = StringIO()
    call_command("load_demo_content", stdout=out, **options)
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
    # Each answer belongs to the force whose page it is about.
    assert {r.site for r in FeedbackResponse.objects.all()} == {sexting_page().get_site()}


# --- The second force: Southdale Police, as `make run` loads it --------------------------


def staff_snapshot():
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "force groups": list(ForceGroup.objects.values()),
        "page rights": GroupPagePermission.objects.count(),
        "workflows": list(WorkflowPage.objects.values()),
    }


def test_one_force_unless_the_second_is_asked_for():
    load_demo_content()

    assert list(Site.objects.values_list("hostname", flat=True)) == ["localhost"]


def test_the_second_force_is_made_as_add_force_makes_it(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SECOND["hostname"]]

    output = load_demo_content(second_force=True)

    assert "Forces: 1 created" in output
    site = Site.objects.get(hostname=SECOND["hostname"])
    assert (site.port, site.is_default_site, site.site_name) == (80, False, SECOND["name"])
    assert Site.objects.get(is_default_site=True).hostname == "localhost"
    assert SafetySettings.for_site(site).neutral_exit_url == SECOND["neutral_exit_url"]
    assert WorkflowPage.objects.get(page=site.root_page).workflow.name == "Southdale Police review"
    assert ForceGroup.objects.filter(site=site).count() == 3
    own_home = client.get("/", HTTP_HOST=SECOND["hostname"])
    own_page = client.get("/local-help/help-in-southdale-schools/", HTTP_HOST=SECOND["hostname"])
    default_home = client.get("/", HTTP_HOST="localhost")
    assert text_of(parse(own_home).h1) == SECOND["name"]
    assert "Help in Southdale" in text_of(parse(own_home))
    assert text_of(parse(own_page).h1) == demo_content.SECOND_FORCE_PAGE["title"]
    assert text_of(parse(default_home).h1) == demo_content.HOME_PAGE["title"]


def test_with_two_forces_a_second_run_changes_nothing():
    load_demo_content(second_force=True)
    before = snapshot(), staff_snapshot()

    output = load_demo_content(second_force=True)

    assert (snapshot(), staff_snapshot()) == before
    assert "Forces: 1 unchanged" in output
    assert "created" not in output and "updated" not in output


def test_the_setting_turns_the_second_force_on(settings):
    settings.DEMO_SECOND_FORCE = True

    load_demo_content()

    assert Site.objects.filter(hostname=SECOND["hostname"]).exists()


def test_the_demo_admin_command_makes_a_southdale_editor(settings):
    settings.DEBUG = True
    load_demo_content(second_force=True)
    out = StringIO()

    call_command("create_demo_admin", stdout=out)

    editor = User.objects.get(username="southdale.editor")
    site = Site.objects.get(hostname=SECOND["hostname"])
    assert list(editor.groups.values_list("name", flat=True)) == ["Southdale Police editors"]
    assert forces_of(editor) == {site.pk}
    password = out.getvalue().split("password: ")[1].split()[0]
    assert editor.check_password(password)
    assert "southdale.editor (Southdale Police editors)" in out.getvalue()
