"""What a visitor sees of the layout and of the thank-you after page feedback.

Real Chromium against the live server. The quick exit ("Leave site") never
covers text in the content column: on phones it is a full-width bar stuck to
the top of the screen, under which the page scrolls whole lines at a time; on
wide screens it floats in a column of its own beside the content. After
feedback is sent the thank-you says so once, in plain text under a bold
heading, and the "Send feedback" button has gone.
"""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from feedback.models import FeedbackResponse

pytestmark = pytest.mark.browser

SEED_PAGE = "/online-safety/sexting/"
WIDTHS = [390, 800, 1024, 1280]
HEIGHT = 800
THANKS = "Thank you for your feedback"

# Every line of text, form control and framed box (border or panel) in <main>
# that the quick exit's box meets, with whether the quick exit spans the
# whole width of <main> (the phone bar) and whether the line lies within its
# width. Lines are taken from text nodes, so a line cut at its end by the
# button is found even when its element is wider.
COVERED = """() => {
    const exit = document.querySelector(".quick-exit__button").getBoundingClientRect();
    const main = document.querySelector("main");
    const area = main.getBoundingClientRect();
    const bar = exit.left <= area.left && exit.right >= area.right;
    const meets = box => box.width > 1 && box.height > 1
        && box.left < exit.right && box.right > exit.left
        && box.top < exit.bottom && box.bottom > exit.top;
    const found = [];
    const note = (box, what) => {
        if (meets(box)) {
            found.push({
                what,
                whole: box.left >= exit.left && box.right <= exit.right,
                box: [box.left, box.top, box.right, box.bottom].map(Math.round),
            });
        }
    };
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim().replace(/\\s+/g, " ");
        if (!text) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const box of range.getClientRects()) {
            note(box, `text “${text.slice(0, 40)}” in <${node.parentElement.localName}>`);
        }
    }
    for (const element of main.querySelectorAll("*")) {
        const style = getComputedStyle(element);
        const framed = ["Top", "Right", "Bottom", "Left"].some(
            side => parseFloat(style[`border${side}Width`]) > 0
        ) || style.backgroundColor !== "rgba(0, 0, 0, 0)";
        if (framed || element.matches("input, textarea, select, button, img, svg")) {
            const name = element.localName + (element.className && typeof element.className
                === "string" ? "." + element.className.split(" ")[0] : "");
            note(element.getBoundingClientRect(), `box <${name}>`);
        }
    }
    const onTop = document.elementFromPoint(
        (exit.left + exit.right) / 2, (exit.top + exit.bottom) / 2
    );
    return {
        bar,
        found,
        exit: [exit.left, exit.top, exit.right, exit.bottom].map(Math.round),
        exitOnTop: !!onTop && !!onTop.closest(".quick-exit__button"),
        scrollY: Math.round(window.scrollY),
    };
}"""


def fresh_limits():
    """Posts from the browser all come from 127.0.0.1: start each test with no rate count."""
    cache.clear()


def test_quick_exit_never_covers_the_content(page, demo_site):
    """At phone, tablet and desktop widths, at the top of the page and scrolled
    down it in steps: the quick exit stays at the top of the screen, nothing
    lies over it, and it covers no text in <main>. Under the phone and tablet
    bar lines leave the screen as the page scrolls, but whole lines only: no
    line is ever cut at its end by the button."""
    problems = {width: [] for width in WIDTHS}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.goto(demo_site.url + SEED_PAGE)
        bottom = page.evaluate("document.documentElement.scrollHeight - innerHeight")
        assert bottom > 3 * HEIGHT, f"{SEED_PAGE} is too short to scroll at {width}px"
        for y in [0, *range(HEIGHT // 4, bottom, HEIGHT // 4), bottom]:
            page.evaluate(f"window.scrollTo(0, {y})")
            seen = page.evaluate(COVERED)
            where = f"{width}px, scrolled {seen['scrollY']}px"
            found = problems[width]
            left, top, right, lower = seen["exit"]
            if y and not (top >= 0 and lower <= HEIGHT / 4):
                found.append(f"{where}: quick exit not at the top of the screen ({seen['exit']})")
            if y and width < 641 and not (seen["bar"] and top == 0 and right - left == width):
                found.append(f"{where}: quick exit is not a full-width bar stuck to the top")
            if not seen["exitOnTop"]:
                found.append(f"{where}: something lies over the quick exit")
            found += [
                f"{where}: quick exit {seen['exit']} covers {item['what']} at {item['box']}"
                for item in seen["found"]
                # At the top of the page nothing at all meets it.
                if not (y and seen["bar"] and item["whole"])
            ]
    report = [
        f"{width}px: {len(found)} problems, the first:\n  " + "\n  ".join(found[:5])
        for width, found in problems.items()
        if found
    ]
    assert not report, "\n".join(report)


def send_feedback(page, comment):
    page.get_by_role("radio", name="No").check()
    page.get_by_label("How could we improve this page?").fill(comment)
    page.get_by_role("button", name="Send feedback").click()


def font_weights(locator):
    """The computed font weight of each paragraph and list item in `locator`."""
    return locator.evaluate(
        """thanks => [...thanks.querySelectorAll("p, li")].map(element => [
            element.innerText.trim().slice(0, 40), getComputedStyle(element).fontWeight
        ])"""
    )


def test_thank_you_with_javascript_replaces_the_button(page, live_server, exit_site):
    fresh_limits()
    page.set_viewport_size({"width": 1024, "height": HEIGHT})
    page.goto(live_server.url + exit_site.guidance.url)
    send_feedback(page, "Say more about apps.")

    thanks = page.locator("[data-feedback-status] [data-thanks]")
    thanks.wait_for()
    expect(page.get_by_role("button", name="Send feedback")).to_be_hidden()
    assert page.locator("form[data-feedback-form] button[type=submit]").is_hidden()
    heading = page.get_by_role("heading", name=THANKS)
    expect(heading).to_have_count(1)
    assert page.get_by_text(THANKS, exact=True).count() == 1
    assert int(heading.evaluate("element => getComputedStyle(element).fontWeight")) >= 700
    weights = font_weights(thanks)
    assert len(weights) >= 3, weights  # two paragraphs and the help contacts
    bold = [text for text, weight in weights if int(weight) >= 600]
    assert not bold, f"thank-you text in bold: {bold}"
    assert FeedbackResponse.objects.get().comment == "Say more about apps."


def test_feedback_lost_on_the_way_keeps_the_button(page, live_server, exit_site):
    """The connection drops while sending: the visitor is told in one bold
    sentence, and "Send feedback" is there to try again."""
    fresh_limits()
    page.goto(live_server.url + exit_site.guidance.url)
    page.route("**/feedback/", lambda route: route.abort("internetdisconnected"))
    send_feedback(page, "Say more about apps.")

    status = page.locator("[data-feedback-status]")
    expect(status).to_contain_text("Check your connection and try again.")
    message = status.get_by_text("Sorry, your feedback was not sent.")
    weight = message.evaluate("element => getComputedStyle(element).fontWeight")
    assert int(weight) >= 700, f"the message is not bold (font-weight {weight})"
    expect(page.get_by_role("button", name="Send feedback")).to_be_enabled()
    expect(page.get_by_role("button", name="Send feedback")).to_be_visible()
    assert FeedbackResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("comment", "headings"),
    [
        ("Say more about apps.", [THANKS]),
        ("My uncle is HURTING me", ["Get help now", "You do not have to deal with this alone"]),
    ],
    ids=["thanks", "disclosure"],
)
def test_thank_you_page_without_javascript_says_it_once(
    page_without_javascript, live_server, exit_site, comment, headings
):
    page = page_without_javascript
    fresh_limits()
    page.goto(live_server.url + exit_site.guidance.url)
    send_feedback(page, comment)

    page.wait_for_url(f"{live_server.url}/feedback/thanks/**")
    main = page.locator("main")
    assert main.get_by_role("heading").all_inner_texts() == headings
    expect(page.get_by_role("heading", level=1)).to_have_text(headings[0])
    for heading in headings:
        expect(main.get_by_text(heading, exact=True)).to_have_count(1)
    bold = [text for text, weight in font_weights(main) if int(weight) >= 600]
    assert not bold, f"thank-you text in bold: {bold}"
