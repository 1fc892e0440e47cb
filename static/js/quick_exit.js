/*
 * Quick exit ("Leave site"), rule 1 of docs/architecture.md; how it
 * behaves and what it cannot do is in docs/quick_exit.md.
 *
 * Progressive enhancement. Without this script the "Leave site" link is an
 * ordinary link to /exit/, which answers 303 to the neutral site with
 * Clear-Site-Data. With it:
 *  - a click or tap on any [data-quick-exit] link hides every element at
 *    once, covers the page with a plain "Loading." overlay, and calls
 *    location.replace, so this page is replaced in history, not pushed;
 *  - pressing Shift three times does the same. Each press may come up to
 *    5 s after the previous one. Presses are counted on keyup; Left and
 *    Right Shift count alike, even when their presses overlap (GOV.UK
 *    govuk-frontend#5393); Shift used as a modifier (Shift+A, Shift+Tab,
 *    Shift+click) does not count, and any other key starts again. Keys
 *    sent while an input method is composing, and auto-repeats of a held
 *    key, are ignored (govuk-frontend#4095). Each press is announced in
 *    the [data-quick-exit-status] live region;
 *  - a pageshow handler undoes all of this if the browser brings the page
 *    back from its back-forward cache.
 * Escape is not bound: it closes menus and dialogs in other software.
 *
 * Loaded with `defer` from base.html; no inline script (the public
 * Content-Security-Policy allows script from 'self' only).
 */
(function () {
    "use strict";

    var root = document.documentElement;
    if (root.hasAttribute("data-quick-exit-ready")) {
        return;
    }
    if (!document.querySelector("a[data-quick-exit]")) {
        return;
    }
    root.setAttribute("data-quick-exit-ready", "");

    var PRESSES_TO_EXIT = 3;
    var PRESS_TIMEOUT_MS = 5000;
    var ACTIVE_CLASS = "quick-exit-active";
    var OVERLAY_CLASS = "quick-exit-overlay";

    var presses = 0;
    var pressTimer = null;
    var announceTimer = null;
    var clearStatusTimer = null;
    // Shift keys held down now, by location (1 = left, 2 = right), so that
    // overlapping Left and Right presses are told apart from Shift+letter.
    var shiftsDown = {};
    var shiftUsedAsModifier = false;
    var overlay = null;
    var savedTitle = null;

    var status = document.querySelector("[data-quick-exit-status]");
    var hint = document.querySelector("[data-quick-exit-hint]");
    if (hint) {
        hint.hidden = false;
    }

    function announce(message) {
        window.clearTimeout(announceTimer);
        window.clearTimeout(clearStatusTimer);
        if (!status) {
            return;
        }
        // Empty the region first so the same words said twice are read twice.
        status.textContent = "";
        if (message) {
            announceTimer = window.setTimeout(function () {
                status.textContent = message;
            }, 50);
        }
    }

    function times(count) {
        return count === 1 ? "time" : "times";
    }

    function stopCounting() {
        window.clearTimeout(pressTimer);
        pressTimer = null;
        if (presses > 0) {
            presses = 0;
            announce("");
        }
    }

    function timedOut() {
        pressTimer = null;
        presses = 0;
        announce("Leave site shortcut timed out.");
        clearStatusTimer = window.setTimeout(function () {
            announce("");
        }, PRESS_TIMEOUT_MS);
    }

    function anyShiftDown() {
        for (var key in shiftsDown) {
            if (Object.prototype.hasOwnProperty.call(shiftsDown, key)) {
                return true;
            }
        }
        return false;
    }

    function quickExit(href) {
        window.clearTimeout(pressTimer);
        pressTimer = null;
        presses = 0;
        announce("");

        // Hide everything first: nothing behind the overlay can be tabbed
        // to or read out, and the tab title no longer names the subject.
        if (savedTitle === null) {
            savedTitle = document.title;
        }
        document.title = "Loading";
        root.classList.add(ACTIVE_CLASS);
        if (!overlay) {
            overlay = document.createElement("div");
            overlay.className = OVERLAY_CLASS;
            overlay.setAttribute("role", "alert");
            document.body.appendChild(overlay);
            // Text set after insertion is announced more reliably.
            overlay.textContent = "Loading.";
        }
        // Replace, not assign: Back must not return to this page.
        window.location.replace(href);
    }

    function countPress() {
        window.clearTimeout(pressTimer);
        presses += 1;
        if (presses >= PRESSES_TO_EXIT) {
            var link = document.querySelector("a[data-quick-exit]");
            if (link) {
                quickExit(link.href);
            }
            return;
        }
        var left = PRESSES_TO_EXIT - presses;
        // "Shift pressed 1 time. Press Shift 2 more times to leave this site."
        announce(
            "Shift pressed " + presses + " " + times(presses) + ". Press Shift " +
            left + " more " + times(left) + " to leave this site."
        );
        pressTimer = window.setTimeout(timedOut, PRESS_TIMEOUT_MS);
    }

    function isComposing(event) {
        return event.isComposing || event.keyCode === 229;
    }

    document.addEventListener("click", function (event) {
        var target = event.target;
        var link = target && target.closest ? target.closest("a[data-quick-exit]") : null;
        if (!link) {
            return;
        }
        event.preventDefault();
        quickExit(link.href);
    });

    document.addEventListener("keydown", function (event) {
        if (isComposing(event)) {
            return;
        }
        if (event.key === "Shift") {
            if (!event.repeat) {
                if (!anyShiftDown()) {
                    shiftUsedAsModifier = false;
                }
                shiftsDown[event.location] = true;
            }
            return;
        }
        // Any other key. If Shift is held, this is Shift used as a modifier
        // and the Shift release that follows must not count.
        if (event.shiftKey || anyShiftDown()) {
            shiftUsedAsModifier = true;
        }
        if (!event.shiftKey) {
            // The browser says no Shift is held: drop any stale record
            // (a Shift released while another window had focus).
            shiftsDown = {};
        }
        stopCounting();
    }, true);

    document.addEventListener("keyup", function (event) {
        if (event.key !== "Shift" || isComposing(event)) {
            return;
        }
        delete shiftsDown[event.location];
        if (shiftUsedAsModifier) {
            if (!anyShiftDown()) {
                shiftUsedAsModifier = false;
            }
            return;
        }
        countPress();
    }, true);

    // Shift+click selects text; it is not a Shift press.
    document.addEventListener("pointerdown", function (event) {
        if (event.shiftKey) {
            shiftUsedAsModifier = true;
        }
    }, true);

    window.addEventListener("blur", function () {
        shiftsDown = {};
        shiftUsedAsModifier = false;
        stopCounting();
    });

    window.addEventListener("pageshow", function (event) {
        if (!event.persisted) {
            return;
        }
        // Back from the back-forward cache: the page was left hidden by the
        // exit. Show it again and start counting afresh.
        root.classList.remove(ACTIVE_CLASS);
        if (overlay && overlay.parentNode) {
            overlay.parentNode.removeChild(overlay);
        }
        overlay = null;
        if (savedTitle !== null) {
            document.title = savedTitle;
            savedTitle = null;
        }
        shiftsDown = {};
        shiftUsedAsModifier = false;
        window.clearTimeout(pressTimer);
        pressTimer = null;
        presses = 0;
        announce("");
    });
}());
