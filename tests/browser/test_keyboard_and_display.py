"""Keyboard use, focus, reflow, text size, forced colours and print (docs/architecture.md, rule 4).

Real Chromium against the live server with the demo content: the home page,
the "Online safety" topic, the seed guidance page ("Sexting") and "Online
grooming". Each test walks every page it names and reports every page and
element that fails, not only the first.
"""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from feedback.models import FeedbackResponse
from tests.support.browser import NEUTRAL_URL

pytestmark = pytest.mark.browser

SEED_PAGE = "/online-safety/sexting/"
PAGES = ["/", "/online-safety/", SEED_PAGE, "/online-safety/online-grooming/"]
PHONE = {"width": 375, "height": 740}
NARROWEST = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
MAX_TABS = 120

# Where the focused element sits, in the order a keyboard user should meet them.
REGIONS = ["skip link", "quick exit", "header", "breadcrumbs", "main", "footer"]
FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body || element === document.documentElement) {
        return null;
    }
    const region = element.matches(".skip-link") ? "skip link"
        : element.closest(".quick-exit") ? "quick exit"
        : element.closest("header") ? "header"
        : element.closest(".breadcrumbs") ? "breadcrumbs"
        : element.closest("main") ? "main"
        : element.closest("footer") ? "footer"
        : "outside every landmark";
    const text = (element.innerText || element.getAttribute("aria-label") || element.value || "")
        .trim().replace(/\\s+/g, " ").slice(0, 50);
    const label = element.labels && element.labels.length ? element.labels[0].innerText.trim() : "";
    return {
        region,
        description: `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}`
            + `${element.className ? "." + String(element.className).split(" ")[0] : ""}>`
            + ` "${text || label}"`,
        id: element.id,
    };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_through(page, on_each=None):
    """Press Tab until focus leaves the page; return what took focus, in order."""
    order = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        current = focused(page)
        if current is None or (order and current == order[0]):
            return order
        order.append(current)
        if on_each:
            on_each(current)
    raise AssertionError(f"{page.url}: Tab never left the page after {MAX_TABS} presses")


def tab_until(page, condition, what, limit=60):
    """Press Tab until `condition` (JavaScript, on document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(element => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"{page.url}: Tab never reached {what} in {limit} presses")


def test_tab_order_is_skip_link_quick_exit_header_then_content(page, demo_site):
    problems = []
    for path in PAGES:
        page.goto(demo_site.url + path)
        order = tab_through(page)
        regions = [item["region"] for item in order]
        if regions[:2] != ["skip link", "quick exit"]:
            problems.append(f"{path}: first two Tab stops are {order[:2]}")
        for earlier, later in zip(order, order[1:], strict=False):
            if REGIONS.index(later["region"]) < REGIONS.index(earlier["region"]):
                problems.append(
                    f"{path}: {later['description']} ({later['region']}) comes after "
                    f"{earlier['description']} ({earlier['region']})"
                )
        for needed in ("header", "main"):
            if needed not in regions:
                problems.append(f"{path}: no Tab stop in the {needed}")

        page.goto(demo_site.url + path)
        page.keyboard.press("Tab")
        skip_link = page.get_by_role("link", name="Skip to content")
        box = skip_link.bounding_box()
        if not box or box["width"] < 50 or box["height"] < 20 or box["y"] < 0:
            problems.append(f"{path}: the focused skip link is not visible ({box})")
        page.keyboard.press("Enter")
        target = focused(page)
        if not target or target["id"] != "main-content":
            problems.append(f"{path}: the skip link moved focus to {target}")
        page.keyboard.press("Tab")
        after = focused(page)
        if after is None or after["region"] not in {"main", "footer"}:
            problems.append(f"{path}: Tab after the skip link went to {after}, not the content")
    assert not problems, "\n".join(problems)


# How an element looks, focused or not. A focus indicator counts when an
# outline or box-shadow appears, or the background or border changes; a new
# text colour or a dropped underline alone is too faint to count.
STYLE_SNAPSHOT = """element => {
    const style = getComputedStyle(element);
    const visible = colour => !/^(transparent|rgba\\(.*, 0\\))$/.test(colour);
    return {
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
            && visible(style.outlineColor)
            ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "none",
        boxShadow: style.boxShadow,
        background: style.backgroundColor,
        colour: style.color,
        border: style.borderColor + " " + style.borderWidth,
        underline: style.textDecorationLine + " " + style.textDecorationThickness,
    };
}"""
SNAPSHOT_UNFOCUSED = f"""() => {{
    const snapshot = {STYLE_SNAPSHOT};
    window.unfocusedStyles = new Map();
    for (const element of document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), textarea, select, summary, [tabindex]"
    )) {{
        window.unfocusedStyles.set(element, snapshot(element));
    }}
}}"""
COMPARE_FOCUSED = f"""() => {{
    const element = document.activeElement;
    const before = window.unfocusedStyles.get(element);
    const after = ({STYLE_SNAPSHOT})(element);
    const box = element.getBoundingClientRect();
    const exit = document.querySelector(".quick-exit__button").getBoundingClientRect();
    // Focus not obscured (WCAG 2.4.11): some of it is on screen and not under
    // the sticky quick exit.
    const top = Math.max(box.top, 0);
    const bottom = Math.min(box.bottom, window.innerHeight);
    const underExit = !element.closest(".quick-exit") && exit.left <= box.left
        && exit.right >= box.right && exit.top <= top && exit.bottom >= bottom;
    return {{
        before, after,
        changed: before ? Object.keys(after).filter(key => before[key] !== after[key]) : null,
        focusVisible: element.matches(":focus-visible"),
        obscured: bottom <= top || underExit,
    }};
}}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_every_focusable_element_shows_where_focus_is(page, demo_site, viewport):
    page.set_viewport_size(viewport)
    problems = []
    checked = 0
    for path in PAGES:
        page.goto(demo_site.url + path)
        page.evaluate(SNAPSHOT_UNFOCUSED)

        def check(current, path=path):
            nonlocal checked
            result = page.evaluate(COMPARE_FOCUSED)
            checked += 1
            where = f"{path} at {viewport['width']}px: {current['description']}"
            if result["changed"] is None:
                problems.append(f"{where}: not focusable before Tab reached it")
            elif not set(result["changed"]) & {"outline", "boxShadow", "background", "border"}:
                problems.append(
                    f"{where}: no outline, shadow, background or border when focused "
                    f"(changed only {result['changed']}; focused style {result['after']})"
                )
            if not result["focusVisible"]:
                problems.append(f"{where}: does not match :focus-visible after Tab")
            if result["obscured"]:
                problems.append(f"{where}: hidden behind the quick exit or off screen")

        tab_through(page, on_each=check)
    assert checked > 60, f"only {checked} elements took focus on {PAGES}"
    assert not problems, "\n".join(problems)


def fresh_limits():
    """Posts from the browser all come from 127.0.0.1: start each test with no rate count."""
    cache.clear()


def complete_feedback_by_keyboard(page, comment):
    """Answer "No", "I'm a parent or carer" and a comment with keys alone, then press Enter."""
    tab_until(page, "element.name === 'useful'", "the first “Was this page useful?” radio")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    tab_until(page, "element.name === 'reason'", "the visit reasons")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    tab_until(page, "element.name === 'comment'", "the comment box")
    page.keyboard.type(comment)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit", (
        f"{page.url}: Tab from the comment box went to {focused(page)}, not “Send feedback”"
    )
    checked = page.evaluate(
        "[...document.querySelectorAll('input[type=radio]:checked')]"
        ".map(radio => radio.labels[0].innerText)"
    )
    assert checked == ["No", "I'm a parent or carer"], f"{page.url}: keys chose {checked}"
    page.keyboard.press("Enter")


def assert_stored(comment):
    # The one answer sent here: the demo's own answers carry no comment.
    stored = FeedbackResponse.objects.exclude(comment="").get()
    assert (stored.useful, stored.reason.slug, stored.comment) == (False, "parent-carer", comment)


def test_feedback_by_keyboard_with_javascript(page, demo_site):
    fresh_limits()
    page.goto(demo_site.url + SEED_PAGE)

    tab_until(page, "element.type === 'submit'", "“Send feedback”")
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), (
        f"after sending the empty form, focus is on {focused(page)}, not the error summary"
    )
    page.keyboard.press("Tab")
    assert "Select yes if this page was useful" in focused(page)["description"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_useful_0", (
        f"the error summary link took focus to {focused(page)}, not the “Yes” radio"
    )

    page.keyboard.press("Shift+Tab")  # back before the radios, as a visitor might
    complete_feedback_by_keyboard(page, "Keyboard only, with scripts.")

    status = page.locator("[data-feedback-status]")
    expect(status).to_contain_text("Thank you for your feedback")
    assert page.evaluate("document.activeElement.hasAttribute('data-feedback-status')"), (
        f"after sending, focus is on {focused(page)}, not the thank-you"
    )
    assert page.url.split("#")[0] == demo_site.url + SEED_PAGE
    assert_stored("Keyboard only, with scripts.")


def test_feedback_by_keyboard_without_javascript(page_without_javascript, demo_site):
    page = page_without_javascript
    fresh_limits()
    page.goto(demo_site.url + SEED_PAGE)

    tab_until(page, "element.type === 'submit'", "“Send feedback”")
    page.keyboard.press("Enter")
    page.wait_for_url(demo_site.url + "/feedback/")
    assert page.title().startswith("Error:")
    # The page starts again: skip link, then the content, where the summary comes first.
    page.keyboard.press("Tab")
    assert focused(page)["region"] == "skip link"
    page.keyboard.press("Enter")
    tab_until(
        page, "!!element.closest('[data-error-summary]')", "the error summary's link", limit=2
    )
    assert "Select yes if this page was useful" in focused(page)["description"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_useful_0", (
        f"the error summary link took focus to {focused(page)}, not the “Yes” radio"
    )

    page.keyboard.press("Shift+Tab")
    complete_feedback_by_keyboard(page, "Keyboard only, no scripts.")

    page.wait_for_url(f"{demo_site.url}/feedback/thanks/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    tab_until(page, "element.textContent.includes('Go back to')", "the link back to the page")
    page.keyboard.press("Enter")
    page.wait_for_url(demo_site.url + SEED_PAGE)
    assert_stored("Keyboard only, no scripts.")


def test_no_horizontal_scrolling_at_320px(page, demo_site):
    page.set_viewport_size(NARROWEST)
    problems = []
    for path in PAGES:
        page.goto(demo_site.url + path)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            problems.append(f"{path}: {widths[0]}px of content in a {widths[1]}px window")
    assert not problems, "\n".join(problems)


# Text that must stay whole: the quick exit, headings and contact cards.
CLIPPED_TEXT = """() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    for (const element of document.querySelectorAll(
        ".quick-exit__button, h1, h2, h3, .contact-card, .contact-card *"
    )) {
        if (element.closest(".visually-hidden")) continue;
        const box = element.getBoundingClientRect();
        if (!box.width) continue;
        const name = `<${element.tagName.toLowerCase()}.${element.className}> `
            + `"${element.innerText.trim().replace(/\\s+/g, " ").slice(0, 40)}"`;
        if (box.left < -0.5 || box.right > width + 0.5) {
            problems.push(`${name} runs off the screen (${box.left}px to ${box.right}px)`);
        } else if (getComputedStyle(element).display !== "inline"
                   && element.scrollWidth > element.clientWidth + 1) {
            problems.push(`${name} is wider than its box (${element.scrollWidth}px in `
                + `${element.clientWidth}px)`);
        }
    }
    return problems;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, NARROWEST], ids=["1280px", "320px"])
def test_text_at_200_percent_still_fits(page, demo_site, viewport):
    """The browser's own text size setting doubled (16px → 32px), as a visitor would set it."""
    page.set_viewport_size(viewport)
    session = page.context.new_cdp_session(page)
    session.send("Page.enable")
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    problems = []
    for path in PAGES:
        page.goto(demo_site.url + path)
        root_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
        assert root_size == "32px", f"text size not doubled on {path}: {root_size}"
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            problems.append(f"{path}: {widths[0]}px of content in a {widths[1]}px window")
        problems += [f"{path}: {problem}" for problem in page.evaluate(CLIPPED_TEXT)]
        exit_box = page.locator(".quick-exit__button").bounding_box()
        if exit_box["y"] < 0 or exit_box["y"] + exit_box["height"] > viewport["height"] / 2:
            problems.append(f"{path}: quick exit not at the top of the screen ({exit_box})")
    assert not problems, f"At 200% text, {viewport['width']}px wide:\n" + "\n".join(problems)


def assert_quick_exit_on_screen(page, where):
    button = page.get_by_role("link", name="Leave site")
    box = button.bounding_box()
    viewport = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
        f"{where}: quick exit not on screen ({box})"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (
        f"{where}: quick exit cut off at the side ({box})"
    )
    assert button.is_visible()


def open_seed_page_with_media(page, demo_site, viewport, query, **media):
    """The seed page at `viewport` with `media` emulated, once the page's `query` matches."""
    page.set_viewport_size(viewport)
    page.emulate_media(**media)
    page.goto(demo_site.url + SEED_PAGE)
    assert page.evaluate(f"matchMedia('{query}').matches")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_reduced_motion_keeps_quick_exit_visible_and_working(page, demo_site, viewport):
    open_seed_page_with_media(
        page, demo_site, viewport, "(prefers-reduced-motion: reduce)", reduced_motion="reduce"
    )
    assert_quick_exit_on_screen(page, "reduced motion, top of the page")
    page.get_by_role("heading", name="Guidance and support").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500
    assert_quick_exit_on_screen(page, "reduced motion, scrolled down")

    page.get_by_role("link", name="Leave site").click()
    page.wait_for_url(NEUTRAL_URL)


FORCED_COLOURS_LOOK = """() => {
    const button = document.querySelector(".quick-exit__button");
    const style = getComputedStyle(button);
    const around = getComputedStyle(document.querySelector(".site-header"));
    return {
        borderWidth: parseFloat(style.borderTopWidth),
        borderStyle: style.borderTopStyle,
        borderColour: style.borderTopColor,
        background: style.backgroundColor,
        text: style.color,
        pageBackground: around.backgroundColor,
    };
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_forced_colours_keep_quick_exit_framed_and_working(page, demo_site, viewport):
    open_seed_page_with_media(
        page, demo_site, viewport, "(forced-colors: active)", forced_colors="active"
    )

    look = page.evaluate(FORCED_COLOURS_LOOK)
    assert look["borderWidth"] >= 2 and look["borderStyle"] == "solid", look
    transparent = look["borderColour"] == "transparent" or look["borderColour"].endswith(", 0)")
    assert not transparent, f"quick exit border is transparent in forced colours: {look}"
    assert look["borderColour"] not in {look["background"], look["pageBackground"]}, (
        f"quick exit border does not stand out in forced colours: {look}"
    )
    assert look["text"] != look["background"], look
    assert_quick_exit_on_screen(page, "forced colours, top of the page")
    page.get_by_role("heading", name="Guidance and support").scroll_into_view_if_needed()
    assert_quick_exit_on_screen(page, "forced colours, scrolled down")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focus_look = page.evaluate(
        "(s => [s.outlineStyle, parseFloat(s.outlineWidth)])"
        "(getComputedStyle(document.activeElement))"
    )
    assert focused(page)["region"] == "quick exit"
    assert focus_look[0] != "none" and focus_look[1] >= 2, (
        f"focused quick exit has no outline in forced colours: {focus_look}"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(NEUTRAL_URL)


def test_print_leaves_out_quick_exit_and_feedback_form(browser, demo_site):
    # A context of its own: on this Chromium, print emulation is lost on a page
    # that has a DevTools session attached, as the `page` fixture's does (it
    # stubs the neutral site, which printing never reaches).
    context = browser.new_context()
    page = context.new_page()
    page.emulate_media(media="print")
    problems = []
    for path in PAGES:
        page.goto(demo_site.url + path)
        assert page.evaluate("matchMedia('print').matches"), "print emulation did not apply"
        if page.get_by_role("link", name="Leave site").is_visible():
            problems.append(f"{path}: quick exit is printed")
        if not page.locator("main h1").is_visible():
            problems.append(f"{path}: the page heading is not printed")
    page.goto(demo_site.url + SEED_PAGE)
    if page.get_by_role("button", name="Send feedback").is_visible():
        problems.append(f"{SEED_PAGE}: the feedback form is printed")
    if page.get_by_role("heading", name="Page feedback").is_visible():
        problems.append(f"{SEED_PAGE}: the feedback heading is printed")
    for heading in ("Know the law", "Guidance and support"):
        if not page.get_by_role("heading", name=heading, exact=True).is_visible():
            problems.append(f"{SEED_PAGE}: the guidance section “{heading}” is not printed")
    if not page.get_by_role("link", name="0808 800 5000").is_visible():
        problems.append(f"{SEED_PAGE}: the NSPCC number is not printed")
    context.close()
    assert not problems, "\n".join(problems)
