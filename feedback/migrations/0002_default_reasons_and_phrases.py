"""Start with a sensible list of visit reasons and disclosure phrases.

Editors change both in the admin afterwards; reversing leaves their edits.
"""

from django.db import migrations

VISIT_REASONS = [
    ("young-person", "I'm a young person looking for advice"),
    ("parent-carer", "I'm a parent or carer"),
    ("professional", "I'm a teacher or professional working with young people"),
    ("worried-self-or-friend", "I'm worried about myself or a friend"),
    ("research", "I'm researching or studying"),
    ("other", "Something else"),
]

DISCLOSURE_PHRASES = [
    "abuse me", "abused", "abusing me", "assaulted", "beat me", "beats me", "blackmail",
    "blackmailing me", "cut myself", "cutting myself", "end my life", "forced me", "groomed",
    "grooming me", "hits me", "hurt me", "hurt myself", "hurting me", "hurting myself",
    "in danger", "kill me", "kill myself", "made me send", "not safe", "rape", "raped",
    "scared to go home", "self harm", "self-harm", "sextortion", "suicidal", "suicide",
    "threaten me", "threatened me", "threatening me", "touched me", "want to die",
]


def create_defaults(apps, schema_editor):
    VisitReason = apps.get_model("feedback", "VisitReason")
    DisclosurePhrase = apps.get_model("feedback", "DisclosurePhrase")
    for sort_order, (slug, label) in enumerate(VISIT_REASONS):
        VisitReason.objects.get_or_create(
            slug=slug, defaults={"label": label, "sort_order": sort_order}
        )
    for phrase in DISCLOSURE_PHRASES:
        DisclosurePhrase.objects.get_or_create(phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
