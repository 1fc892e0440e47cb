"""Editors build guidance pages in the Wagtail admin, with every block, and preview them.

The form data is what the page editor posts, built with Wagtail's
`nested_form_data`, `streamfield`, `inline_formset` and `rich_text`.
"""

import datetime
import json

from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from guidance.blocks import GuidanceStreamBlock
from guidance.models import GuidancePage, HomePage, TopicPage
from tests.support.admin_forms import guidance_form_data, list_block, paragraph_text, short_text
from tests.support.html import parse, text_of
from tests.support.site import build_site_tree

DUPLICATE_HEADING_ERROR = "Another section on this page has the same heading."

# One distinctive phrase per block, to find each block again on the rendered page.
EVERY_BLOCK_TEXT = {
    "section_heading": "What the law says",
    "paragraph": "Sharing a sexual image of anyone under 18 is against the law.",
    "know_the_law": "Taking or having such an image is an offence too.",
    "warning": "Once it is sent, it is out of your control.",
    "inset": "Recording a crime does not mean a criminal record.",
    "quote": "Would I be happy for my family to see this?",
    "point_list": "Pass on an image of someone under 18",
    "question_answer": "Will my child get a criminal record?",
    "signposting_contacts": "NSPCC helpline",
}


def every_block(contact):
    """(block type, form value) for every block a guidance page body allows."""
    text = EVERY_BLOCK_TEXT
    return [
        ("section_heading", {"heading": text["section_heading"]}),
        ("paragraph", paragraph_text(text["paragraph"])),
        ("know_the_law", {"heading": "Know the law", "text": paragraph_text(text["know_the_law"])}),
        ("warning", {"heading": "Think first", "text": paragraph_text(text["warning"])}),
        ("inset", {"heading": "", "text": paragraph_text(text["inset"])}),
        ("quote", {"quote": text["quote"], "attribution": "A parent"}),
        (
            "point_list",
            {
                "intro": "If you are under 18, it is against the law to:",
                "numbered": "on",
                "points": list_block(
                    [short_text("Take a sexual photo of yourself"), short_text(text["point_list"])]
                ),
            },
        ),
        (
            "question_answer",
            {
                "question": text["question_answer"],
                "answer": paragraph_text("Usually not. Most cases are recorded as Outcome 21."),
            },
        ),
        (
            "signposting_contacts",
            {
                "heading": "Get help and support",
                "intro": short_text("You can talk to someone today."),
                "contacts": list_block([str(contact.pk)]),
            },
        ),
    ]


class GuidancePageAdminTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = build_site_tree()

    def setUp(self):
        # force_login: django-axes refuses Client.login(), which passes no request.
        self.user = self.create_test_user()  # a superuser
        self.client.force_login(self.user)

    def add_url(self, parent):
        return reverse("wagtailadmin_pages:add", args=["guidance", "guidancepage", parent.pk])

    def preview_on_add_url(self, parent):
        return reverse(
            "wagtailadmin_pages:preview_on_add", args=["guidance", "guidancepage", parent.pk]
        )

    # Where pages can go --------------------------------------------------------

    def test_guidance_pages_go_under_topics_or_home(self):
        self.assertCanCreateAt(TopicPage, GuidancePage)
        self.assertCanCreateAt(HomePage, GuidancePage)
        self.assertCanCreateAt(HomePage, TopicPage)
        self.assertAllowedParentPageTypes(GuidancePage, {TopicPage, HomePage})
        self.assertAllowedSubpageTypes(TopicPage, {GuidancePage})

    def test_pages_cannot_go_where_they_do_not_belong(self):
        self.assertCanNotCreateAt(GuidancePage, GuidancePage)
        self.assertCanNotCreateAt(GuidancePage, TopicPage)
        self.assertCanNotCreateAt(TopicPage, TopicPage)
        self.assertCanNotCreateAt(Page, GuidancePage)
        self.assertCanNotCreateAt(Page, TopicPage)
        self.assertAllowedSubpageTypes(GuidancePage, set())
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_only_one_home_page(self):
        self.assertFalse(HomePage.can_create_at(self.tree.site.root_page.get_parent()))

    # Existing pages work in the admin and on the site --------------------------------

    def sexting_form_data(self, **fields):
        """The edit form's data for the "Sexting" page as `site_tree` builds it.

        Wagtail renders StreamField editors with JavaScript, so this data cannot
        be scraped from the edit page's HTML; it is written out instead.
        """
        tree = self.tree
        return guidance_form_data(
            "Sexting",
            [
                ("section_heading", {"heading": "Know the law"}),
                ("paragraph", paragraph_text("If you are under 18, sharing is against the law.")),
                ("section_heading", {"heading": "Police action"}),
                ("paragraph", paragraph_text("A police officer will establish the facts.")),
                ("section_heading", {"heading": "Guidance and support"}),
                (
                    "signposting_contacts",
                    {
                        "heading": "Get help and support",
                        "intro": short_text(""),
                        "contacts": list_block([str(tree.nspcc.pk), str(tree.stop_it_now.pk)]),
                    },
                ),
            ],
            **{"slug": tree.guidance.slug, "summary": tree.guidance.summary, **fields},
        )

    def test_guidance_page_is_routable_renderable_editable_and_previewable(self):
        page = self.tree.guidance
        self.assertPageIsRoutable(page)
        self.assertPageIsRenderable(page)
        self.assertPageIsEditable(page, post_data=self.sexting_form_data())
        self.assertPageIsPreviewable(page, post_data=self.sexting_form_data())

    def test_editor_publishes_a_change_that_visitors_then_see(self):
        page = self.tree.guidance
        data = self.sexting_form_data(summary="Updated advice on sharing images.")
        data["action-publish"] = "action-publish"

        response = self.client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)

        self.assertEqual(response.status_code, 302)
        self.client.logout()
        page_text = text_of(self.client.get(page.url).content)
        self.assertIn("Updated advice on sharing images.", page_text)
        self.assertNotIn(page.summary, page_text)

    def test_topic_and_home_pages_are_routable_renderable_and_previewable(self):
        for page in (self.tree.topic, self.tree.home):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)
            self.assertPageIsPreviewable(page)

    def test_unknown_path_under_a_guidance_page_is_not_found(self):
        self.assertPageIsRenderable(self.tree.guidance, route_path="no-such-page/", accept_404=True)
        with self.assertRaises(AssertionError):
            self.assertPageIsRoutable(self.tree.guidance, route_path="no-such-page/")

    # Creating a page with every block ----------------------------------------------

    def test_editor_creates_a_guidance_page_with_every_block_type(self):
        data = guidance_form_data(
            "Sharing images",
            every_block(self.tree.nspcc),
            related_pages=[self.tree.other_guidance],
        )

        self.assertCanCreate(self.tree.topic, GuidancePage, data)

        page = GuidancePage.objects.get(slug="sharing-images")
        self.assertTrue(page.live)
        self.assertEqual(page.get_parent().specific, self.tree.topic)
        block_types = [block.block_type for block in page.body]
        self.assertEqual(block_types, list(EVERY_BLOCK_TEXT))
        self.assertEqual(
            set(block_types),
            set(GuidanceStreamBlock().child_blocks),
            "every_block() must cover every block type GuidanceStreamBlock allows",
        )
        self.assertEqual(page.related_pages.get().page_id, self.tree.other_guidance.pk)
        self.assertEqual(page.last_reviewed, datetime.date(2026, 1, 15))

    def test_a_page_with_every_block_type_shows_each_block_to_visitors(self):
        data = guidance_form_data("Sharing images", every_block(self.tree.nspcc))
        self.assertCanCreate(self.tree.topic, GuidancePage, data)
        page = GuidancePage.objects.get(slug="sharing-images")

        self.client.logout()
        response = self.client.get(page.url)

        self.assertEqual(response.status_code, 200)
        page_text = text_of(response.content)
        for block_type, text in EVERY_BLOCK_TEXT.items():
            self.assertIn(text, page_text, f"{block_type} block not shown")
        soup = parse(response)
        self.assertIsNotNone(soup.find("h2", id="what-the-law-says"))
        self.assertIsNotNone(soup.find("a", href="tel:08088005000"))
        self.assertIsNotNone(soup.find("ol"), "numbered points render as an ordered list")
        self.assertIsNotNone(soup.find("details"), "question and answer uses <details>")

    def test_saving_a_draft_does_not_publish_the_page(self):
        data = guidance_form_data("Draft guidance", every_block(self.tree.nspcc))

        self.assertCanCreate(self.tree.topic, GuidancePage, data, publish=False)

        page = GuidancePage.objects.get(slug="draft-guidance")
        self.assertFalse(page.live)
        self.client.logout()
        self.assertEqual(self.client.get("/online-safety/draft-guidance/").status_code, 404)

    # Preview ---------------------------------------------------------------------------

    def test_editor_previews_a_new_page_with_every_block_before_saving_it(self):
        data = guidance_form_data("Preview only", every_block(self.tree.nspcc))
        preview_url = self.preview_on_add_url(self.tree.topic)

        response = self.client.post(preview_url, data)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content), {"is_valid": True, "is_available": True})

        response = self.client.get(preview_url)

        self.assertEqual(response.status_code, 200)
        page_text = text_of(response.content)
        self.assertIn("Preview only", page_text)
        for block_type, text in EVERY_BLOCK_TEXT.items():
            self.assertIn(text, page_text, f"{block_type} block not in the preview")
        self.assertFalse(GuidancePage.objects.filter(slug="preview-only").exists())

    def test_editor_previews_changes_to_an_existing_page_without_publishing_them(self):
        page = self.tree.guidance
        data = guidance_form_data(
            page.title,
            [
                ("section_heading", {"heading": "A new section"}),
                ("paragraph", paragraph_text("Unpublished words for review.")),
            ],
            slug=page.slug,
        )
        preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])

        response = self.client.post(preview_url, data)

        self.assertEqual(json.loads(response.content), {"is_valid": True, "is_available": True})
        preview_text = text_of(self.client.get(preview_url).content)
        self.assertIn("Unpublished words for review.", preview_text)
        self.client.logout()
        live_text = text_of(self.client.get(page.url).content)
        self.assertNotIn("Unpublished words for review.", live_text)
        self.assertIn("A police officer will establish the facts.", live_text)

    def test_preview_of_an_invalid_page_is_refused(self):
        data = guidance_form_data(
            "Broken",
            [
                ("section_heading", {"heading": "Police action"}),
                ("section_heading", {"heading": "Police action"}),
            ],
        )

        response = self.client.post(self.preview_on_add_url(self.tree.topic), data)

        self.assertEqual(json.loads(response.content), {"is_valid": False, "is_available": False})

    # Validation -------------------------------------------------------------------------

    def post_new_page(self, body, **fields):
        data = guidance_form_data("Duplicate headings", body, **fields)
        data["action-publish"] = "action-publish"
        return self.client.post(self.add_url(self.tree.topic), data)

    def test_duplicate_section_headings_are_refused_with_a_message_for_the_editor(self):
        response = self.post_new_page(
            [
                ("section_heading", {"heading": "Police action"}),
                ("paragraph", paragraph_text("First.")),
                ("section_heading", {"heading": "Police action"}),
            ]
        )

        self.assertEqual(response.status_code, 200)  # the form again, not a redirect
        self.assertFalse(GuidancePage.objects.filter(slug="duplicate-headings").exists())
        body_error = response.context["form"].errors.as_data()["body"][0]
        self.assertEqual(set(body_error.block_errors), {2})
        self.assertIn(
            DUPLICATE_HEADING_ERROR, str(body_error.block_errors[2].block_errors["heading"])
        )
        self.assertIn(DUPLICATE_HEADING_ERROR, response.content.decode())

    def test_headings_that_differ_only_in_punctuation_count_as_duplicates(self):
        # Both would link from "On this page" to #police-action.
        response = self.post_new_page(
            [
                ("section_heading", {"heading": "Police action"}),
                ("section_heading", {"heading": "Police action!"}),
            ]
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("body", response.context["form"].errors)
        self.assertFalse(GuidancePage.objects.filter(slug="duplicate-headings").exists())

    def test_different_section_headings_are_accepted(self):
        response = self.post_new_page(
            [
                ("section_heading", {"heading": "Police action"}),
                ("section_heading", {"heading": "Outcome 21"}),
            ]
        )

        self.assertEqual(response.status_code, 302)
        self.assertTrue(GuidancePage.objects.filter(slug="duplicate-headings").exists())

    def test_next_review_must_come_after_the_last_review(self):
        response = self.post_new_page(
            [("section_heading", {"heading": "Police action"})],
            last_reviewed="2026-01-15",
            next_review_due="2025-12-01",
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("next_review_due", response.context["form"].errors)
        self.assertFalse(GuidancePage.objects.filter(slug="duplicate-headings").exists())
