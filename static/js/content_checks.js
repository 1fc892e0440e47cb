/*
 * Safeguarding content checks: the two axe check functions behind our rules
 * in Wagtail's content checker (the editor's Checks panel and the user bar).
 *
 * Only staff load this: guidance.content_checks.SafeguardingContentCheckerItem
 * adds it to the user bar's media, after Wagtail's userbar.js. The rules, the
 * phone number and vague link patterns and the messages all come from
 * guidance/content_checks/ in the axe configuration (as each check's
 * options), so these functions and the warning after saving apply the same
 * rules.
 *
 * The functions are handed to Wagtail with the user bar's `registerCheck`.
 * axe could also take a function written as text in the configuration, but
 * it would turn that text into code with `new Function`, which the
 * Content-Security-Policy forbids (no 'unsafe-eval').
 */
(function () {
    "use strict";

    // After these, rendered text starts a new line: a number never runs on
    // from one paragraph or list item into the next.
    var BREAKS = /^(P|LI|UL|OL|BR|DIV|H[2-6]|BLOCKQUOTE)$/;

    function isPhoneLink(element) {
        var href = element.getAttribute("href") || "";
        return element.tagName === "A" && href.trim().toLowerCase().indexOf("tel:") === 0;
    }

    // The text of `node` outside phone links, as guidance.content_checks reads rich text.
    function textOutsidePhoneLinks(node) {
        var text = "";
        Array.prototype.forEach.call(node.childNodes, function (child) {
            if (child.nodeType === Node.TEXT_NODE) {
                text += child.nodeValue;
            } else if (child.nodeType === Node.ELEMENT_NODE) {
                if (isPhoneLink(child)) {
                    text += "\n";
                } else if (BREAKS.test(child.tagName)) {
                    text += "\n" + textOutsidePhoneLinks(child) + "\n";
                } else {
                    text += textOutsidePhoneLinks(child);
                }
            }
        });
        return text;
    }

    // Passes when no phone number is written outside a tel: link.
    function noUnlinkedPhoneNumber(node, options) {
        return !new RegExp(options.pattern).test(textOutsidePhoneLinks(node));
    }

    // Passes unless the whole link text is a vague phrase such as "click here".
    function descriptiveLinkText(node, options) {
        var text = node.textContent || "";
        return text.trim() === "" || !new RegExp(options.pattern, "i").test(text);
    }

    if (!window.customElements) {
        return;
    }
    window.customElements.whenDefined("wagtail-userbar").then(function () {
        var userbar = document.querySelector("wagtail-userbar");
        if (!userbar || typeof userbar.registerCheck !== "function") {
            return;
        }
        userbar.registerCheck("safeguarding-no-unlinked-phone-number", noUnlinkedPhoneNumber);
        userbar.registerCheck("safeguarding-descriptive-link-text", descriptiveLinkText);
    });
}());
