"""Content of the demo site that `manage.py load_demo_content` loads.

Plain data only, so it reads like the pages it builds. "Sexting" retells, in
our own plain words, every section of the police guidance page the portal
was first modelled on (the law, police action, Outcome 21, where to get
help); the other
guidance pages show the same contacts reused across pages. Page bodies are
lists of `(block_type, raw value)` pairs; signposting blocks name their
contacts, and the command swaps each name for the contact's primary key.
Between them the pages use every block in `GuidanceStreamBlock`.
"""

import datetime

LAST_REVIEWED = datetime.date(2026, 9, 1)
NEXT_REVIEW_DUE = datetime.date(2027, 9, 1)
# Contacts are checked every six months; the GP entry shows one that is overdue.
LAST_VERIFIED = datetime.date(2026, 9, 1)
LAST_VERIFIED_LONG_AGO = datetime.date(2025, 9, 1)

SAFETY_SETTINGS = {"neutral_exit_url": "https://www.bbc.co.uk/weather"}

NSPCC = "NSPCC helpline"
CEOP = "CEOP (Child Exploitation and Online Protection)"
GP = "GP or local community services"
CHILDLINE = "Childline"
POLICE_EMERGENCY = "Police emergency"
POLICE_NON_EMERGENCY = "Police non-emergency"


def html(*paragraphs):
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def bullets(*items):
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def section(heading):
    return ("section_heading", {"heading": heading})


def text(*paragraphs):
    return ("paragraph", html(*paragraphs))


def callout(block_type, heading, body_html):
    return (block_type, {"heading": heading, "text": body_html})


def quote(words):
    return ("quote", {"quote": words, "attribution": ""})


def points(intro, *items, numbered=False):
    return (
        "point_list",
        {"intro": intro, "numbered": numbered, "points": [html(item) for item in items]},
    )


def question(asked, answer_html):
    return ("question_answer", {"question": asked, "answer": answer_html})


def contacts(*names, heading="Who can help"):
    return ("signposting_contacts", {"heading": heading, "intro": "", "contacts": list(names)})


CONTACTS = [
    {
        "name": NSPCC,
        "helps_with": (
            "Advice from a trained counsellor if you are worried about a child, "
            "or want to know more about keeping children safe."
        ),
        "phone": "0808 800 5000",
        "phone_hours": "24 hours a day",
        "website": "https://www.nspcc.org.uk/",
        "last_verified": LAST_VERIFIED,
    },
    {
        "name": CEOP,
        "helps_with": (
            "Report online sexual abuse, grooming or exploitation of a child, or the way "
            "someone is talking to a child online. Children can report too."
        ),
        "online_report_url": "https://www.ceop.police.uk/Safety-Centre/",
        "last_verified": LAST_VERIFIED,
    },
    {
        "name": GP,
        "helps_with": (
            "Support if your child needs more help, or if you are worried they are "
            "behaving in a sexual way that is not right for their age or could harm others."
        ),
        "website": "https://www.nhs.uk/service-search/find-a-gp",
        "last_verified": LAST_VERIFIED_LONG_AGO,
    },
    {
        "name": CHILDLINE,
        "helps_with": "Free, private support for children and young people with any worry.",
        "phone": "0800 1111",
        "phone_hours": "24 hours a day",
        "website": "https://www.childline.org.uk/",
        "last_verified": LAST_VERIFIED,
    },
    {
        "name": POLICE_EMERGENCY,
        "helps_with": (
            "If someone is in immediate danger, or a crime is happening now. If you cannot "
            "speak, call from a mobile, listen, and press 55 when asked."
        ),
        "phone": "999",
        "phone_hours": "24 hours a day",
        "is_emergency": True,
        "last_verified": LAST_VERIFIED,
    },
    {
        "name": POLICE_NON_EMERGENCY,
        "helps_with": (
            "To report a crime that is not an emergency, or to ask the police for advice."
        ),
        "phone": "101",
        "phone_hours": "24 hours a day",
        "last_verified": LAST_VERIFIED,
    },
]

# The help contacts shown across the site (Settings → Safety settings), in
# order, with the places each appears (guidance.help_contacts.PLACES).
# guidance/help_contacts.py shows the same when the database cannot be read.
HELP_CONTACTS = [
    (POLICE_EMERGENCY, {"emergency_box", "footer", "help_box", "feedback"}),
    (POLICE_NON_EMERGENCY, {"footer", "help_box", "feedback"}),
    (NSPCC, {"footer", "help_box", "feedback"}),
    (CHILDLINE, {"help_box", "feedback"}),
    (CEOP, {"feedback"}),
]

HOME_PAGE = {
    "slug": "home",
    "title": "Keeping children safe",
    "intro": html(
        "Clear advice for parents, carers and young people on keeping children safe, "
        "what the police do, and where to get help."
    ),
}

TOPIC_PAGE = {
    "slug": "online-safety",
    "title": "Online safety",
    "summary": (
        "Sexting, online grooming, and how to stay safer on a shared phone or computer "
        "while you look for help."
    ),
    "intro": html("Guidance on the risks children face online and what you can do about them."),
}

SEXTING = {
    "slug": "sexting",
    "title": "Sexting",
    "summary": (
        "Sexting means sharing sexual photos, videos or messages. Find out what the law "
        "says if you are under 18, what the police will do, and where to get help."
    ),
    "body": [
        text(
            "Sexting means sharing indecent (sexual) photos, videos or other sexual content.",
            "It can mean very different things. Sometimes two children of a similar age "
            "agree to share a picture with each other. Sometimes a child is groomed, bullied "
            "or exploited into sending images, and those images are then passed on to other "
            "young people or to adults without the child agreeing.",
        ),
        section("Know the law"),
        callout(
            "know_the_law",
            "What the law says if you are under 18",
            html("If you are under 18, it is against the law to:")
            + bullets(
                "take, keep or share a sexual photo, and that includes a selfie",
                "keep or pass on an indecent image of anyone under 18",
                "encourage or push someone to take or send a sexual image (a 'sext')",
                "take a photo of your own private parts, even if you never send it to anyone",
            ),
        ),
        text(
            "Breaking the law is not the only risk. Sexting can also hurt you emotionally, "
            "and it can harm your reputation if other people see the image."
        ),
        section("Police action – the proportionate approach"),
        text("The police record every report of sexting by someone under 18 as a crime."),
        callout(
            "inset",
            "A crime record is not a criminal record",
            html("Recording a crime does not mean the young person will have a criminal record."),
        ),
        points(
            "A police officer will find out what happened. They will look for anything "
            "that makes it more serious, such as:",
            "someone being exploited, which means used for someone else's gain",
            "someone being pressured or forced to take or send images",
            "someone making money from the images",
            "adults being involved in making the images",
        ),
        text(
            "If they find any of these, or see a serious risk to someone, the police take "
            "charge and investigate.",
            "If there is nothing that makes it more serious, we support the young person who "
            "was harmed, and help their school and family through education and support.",
            "We then record that a crime happened, but that formal action would not be in "
            "the public interest. This is called using 'Outcome 21'.",
        ),
        section("Outcome 21"),
        text(
            "Outcome 21 is a code the police use. It records that a crime happened, but that "
            "no formal action will be taken through the criminal justice system."
        ),
        question(
            "Will this show up on a DBS check or other future checks?",
            html(
                "It is unlikely. A crime recorded as Outcome 21 is unlikely to show up on "
                "future records or checks, unless the young person has been involved in other "
                "similar incidents that suggest they may be at risk.",
                "Whether to share information about something that did not lead to a "
                "conviction is up to the Chief Constable of each police force. Nobody can "
                "promise it will never be shared, but this happens only in a very small "
                "number of unusual cases.",
            ),
        ),
        section("If you are under 18, think before you take or share a photo"),
        text(
            "Before you take a photo of yourself, or share one from your phone, tablet or "
            "computer, stop and ask yourself:"
        ),
        quote(
            "Would I be happy for my family, a future employer or a local police officer "
            "to see this?"
        ),
        callout(
            "warning",
            "Once you press send, you lose control",
            html(
                "After an image is sent, you have no say over what happens to it. It could be "
                "sent on to anyone and posted anywhere on the internet."
            ),
        ),
        section("Guidance and support"),
        text(
            "The NSPCC website explains sexting, including how to talk to your child about it. "
            "You can also call the NSPCC helpline at any time to speak to a counsellor."
        ),
        contacts(NSPCC, CEOP, GP),
    ],
    "related": ["online-grooming", "cover-your-tracks-online"],
}

COVER_YOUR_TRACKS = {
    "slug": "cover-your-tracks-online",
    "title": "How to cover your tracks online",
    # Overdue for review, so the review report has something to show.
    "last_reviewed": datetime.date(2025, 6, 1),
    "next_review_due": datetime.date(2026, 6, 1),
    "summary": (
        "How to make it harder for someone who uses your phone or computer to see that you "
        "looked for help, and what the Leave site button can and cannot do."
    ),
    "body": [
        text(
            "If you share a phone, tablet or computer, someone else may be able to see which "
            "websites you have visited. These steps can help you stay safer while you look "
            "for help."
        ),
        section("Use a safer device"),
        text(
            "The safest choice is a phone or computer the other person cannot use or check, "
            "such as one at a library, at school or at the home of a friend you trust."
        ),
        section("Use private browsing"),
        text(
            "Private browsing stops your browser from keeping a list of the pages you visit. "
            "In Chrome it is called Incognito. In Edge it is InPrivate, and in Safari and "
            "Firefox it is Private Browsing. Close every private window when you are done."
        ),
        callout(
            "inset",
            "Private browsing is not invisible",
            html(
                "Your internet provider, a school or work network, or spy apps on the device "
                "may still be able to see what you do."
            ),
        ),
        section("Clear your browsing history"),
        points(
            "If you did not use private browsing:",
            "Open your browser's settings or menu.",
            "Find History. In some browsers it is under Privacy.",
            "Delete the pages from this website, or clear all of your history.",
            "Close the browser.",
            numbered=True,
        ),
        callout(
            "warning",
            "An empty history can be noticed",
            html(
                "If someone checks your phone and finds the history empty, they may start to "
                "wonder why. It can be safer to delete only the pages from this website."
            ),
        ),
        section("Leave this website quickly"),
        text(
            "Every page has a red <b>Leave site</b> button at the top. Select it, or press the "
            "Shift key three times. This page is then swapped for an ordinary website, such as "
            "a weather forecast. The Back button will not bring you back here, and your "
            "browser is asked to delete the copies of our pages it has saved."
        ),
        callout(
            "warning",
            "What Leave site cannot do",
            bullets(
                "It does not delete your browsing history. Our pages may still be listed "
                "there, so clear your history too.",
                "It does not close other tabs or windows you have open.",
                "It does nothing to your other phones, tablets or computers.",
            ),
        ),
        section("Get help"),
        text('If you are in danger now, call <a href="tel:999">999</a>.'),
        contacts(POLICE_EMERGENCY, NSPCC, POLICE_NON_EMERGENCY),
    ],
    "related": ["sexting", "online-grooming"],
}

ONLINE_GROOMING = {
    "slug": "online-grooming",
    "title": "Online grooming",
    "summary": (
        "Grooming is when someone builds a child's trust so they can abuse or exploit them. "
        "Learn the signs, what to do and how to report it."
    ),
    "body": [
        text(
            "Grooming is when someone builds a friendship and trust with a child or young "
            "person so they can abuse, exploit or control them. Online, a groomer may pretend "
            "to be younger than they are, or offer gifts, attention or praise.",
        ),
        section("Signs to look out for"),
        points(
            "A child who is being groomed may:",
            "be secretive about who they talk to online or what they do",
            "have an older boyfriend or girlfriend, or new friends you have never met",
            "have new things, such as clothes, a phone or money, that they cannot explain",
            "seem upset, withdrawn or anxious after being online",
            "use sexual words or ideas you would not expect at their age",
        ),
        callout(
            "inset",
            "",
            html(
                "These signs do not always mean a child is being groomed, but they are a good "
                "reason to talk to them and to ask for advice."
            ),
        ),
        section("What to do if you are worried"),
        points(
            "",
            "Stay calm and listen. Tell your child they are not in trouble and it is not "
            "their fault.",
            "Do not delete messages or accounts. Write down usernames and dates.",
            "Do not copy, save or forward any sexual image of a child, even to report it.",
            "Report it to CEOP.",
            "Afterwards, block the person and check the privacy settings on your child's apps.",
            numbered=True,
        ),
        callout(
            "warning",
            "If a child is in immediate danger",
            html('Call <a href="tel:999">999</a> now.'),
        ),
        section("Report it to CEOP"),
        text(
            "CEOP is part of the National Crime Agency and protects children from sexual "
            "abuse and grooming online. Anyone can report to CEOP online, including "
            "children and young people."
        ),
        question(
            "Will my child get into trouble?",
            html(
                "A child who has been groomed is a victim, even if they sent images "
                "themselves. The police will focus on keeping them safe and on the person who "
                "groomed them."
            ),
        ),
        section("Get help and support"),
        text(
            "You do not have to deal with this on your own. These services can listen, give "
            "advice and help you report what has happened."
        ),
        contacts(POLICE_EMERGENCY, NSPCC, CEOP, CHILDLINE),
    ],
    "related": ["sexting", "cover-your-tracks-online"],
}

GUIDANCE_PAGES = [SEXTING, COVER_YOUR_TRACKS, ONLINE_GROOMING]

# Promoted search results (Settings → Promoted search results): words
# visitors use that the pages do not, and the page each should lead to.
SEARCH_PROMOTIONS = [
    ("nudes", "sexting", "Sharing nude or sexual images: what the law says and where to get help."),
]

# "Sexting" as first published, before editors shortened its summary after
# visitors said the page was hard going. The loader publishes this version
# first, then the page above, so that Reports → Feedback by page → "By
# version" has two versions to compare.
SEXTING_FIRST_VERSION = {
    "summary": (
        "This page sets out, with reference to the relevant legislation and to the guidance "
        "issued to police forces nationally, the circumstances in which the creation, "
        "possession or distribution of indecent images by persons under the age of eighteen "
        "may constitute a criminal offence, together with the range of proportionate "
        "responses available to officers and the organisations from which support may be sought."
    ),
}

# Demo answers to "Was this page useful?" on "Sexting": for each version,
# days before loading when it went live, then (reason code, useful, not useful).
SEXTING_FEEDBACK = [
    (
        70,
        [("young-person", 4, 9), ("parent-carer", 6, 8), ("professional", 3, 3), ("", 1, 6)],
    ),
    (
        35,
        [("young-person", 12, 2), ("parent-carer", 11, 3), ("professional", 5, 1), ("", 4, 2)],
    ),
]

# The demo's second force (`load_demo_content` with DEMO_SECOND_FORCE, as
# `make run` has it): made by `manage.py add_force`'s own code
# (guidance/forces.py) on a host name of its own, with its own quick exit
# and one local page, under a topic of its own. Browsers send *.localhost to
# this machine.
SECOND_FORCE = {
    "name": "Southdale Police",
    "hostname": "southdale.localhost",
    "neutral_exit_url": "https://www.metoffice.gov.uk/",
}

SECOND_FORCE_TOPIC = {
    "slug": "local-help",
    "title": "Help in Southdale",
    "summary": "Who to talk to in Southdale, in schools and in the community.",
    "intro": html("Advice from Southdale Police on local help for children and families."),
}

SECOND_FORCE_PAGE = {
    "slug": "help-in-southdale-schools",
    "title": "Help in Southdale schools",
    "summary": (
        "Every Southdale secondary school has a named police officer. Find out what they do "
        "and how a pupil or parent can talk to them."
    ),
    "body": [
        text(
            "Southdale Police has a school liaison officer for every secondary school in the "
            "area. They give lessons on staying safe online and are there to listen."
        ),
        section("Talking to your school's officer"),
        text(
            "Ask at your school office, or tell a teacher you trust that you would like to "
            "speak to the officer. You do not have to say why."
        ),
        contacts(POLICE_NON_EMERGENCY, CHILDLINE),
    ],
}
