"""`{% help_contacts "footer" as contacts %}`: the site-wide help contacts for one place.

Needs no request, database or cache to answer (guidance/help_contacts.py), so
the standalone error pages use it too.
"""

from django import template

from guidance.help_contacts import help_contacts as contacts_for

register = template.Library()


@register.simple_tag
def help_contacts(place):
    return contacts_for(place)
