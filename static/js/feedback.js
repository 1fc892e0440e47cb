/*
 * Page feedback, enhanced: send the form without leaving the page.
 * Without JavaScript the same form posts normally (feedback.views).
 * The server answers JSON with ready-made HTML: on success the thank-you
 * replaces the form and is announced; on errors the form comes back with
 * the GOV.UK error summary, which takes focus.
 *
 * Loaded with `defer` from base.html on every page; it does nothing where
 * there is no feedback form, and runs once however often it is included.
 */
(function () {
    "use strict";

    var root = document.documentElement;
    if (root.hasAttribute("data-feedback-ready")) {
        return;
    }
    if (!document.querySelector("form[data-feedback-form]")) {
        return;
    }
    if (!window.fetch || !window.FormData || !window.URLSearchParams) {
        return;
    }
    root.setAttribute("data-feedback-ready", "");

    function replaceSection(form, html) {
        var section = form.closest(".feedback");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var replacement = holder.firstElementChild;
        section.replaceWith(replacement);
        return replacement;
    }

    function showThanks(form, html) {
        var status = form.querySelector("[data-feedback-status]");
        Array.prototype.forEach.call(form.children, function (child) {
            if (child !== status) {
                child.hidden = true;
            }
        });
        status.innerHTML = html;
        status.tabIndex = -1;
        status.focus();
    }

    function showProblem(form, message, html) {
        var status = form.querySelector("[data-feedback-status]");
        if (html) {
            status.innerHTML = html;
            return;
        }
        // The bold sentence problem_message.html starts with: the status
        // region itself is not bold.
        var paragraph = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = message;
        paragraph.appendChild(strong);
        status.replaceChildren(paragraph);
    }

    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form.matches || !form.matches("[data-feedback-form]")) {
            return;
        }
        event.preventDefault();
        var button = form.querySelector("button[type=submit]");
        button.disabled = true;

        fetch(form.action, {
            method: "POST",
            body: new URLSearchParams(new FormData(form)),
            headers: { Accept: "application/json" },
            credentials: "same-origin",
        })
            .then(function (response) {
                return response.json().then(function (data) {
                    return { status: response.status, data: data };
                });
            })
            .then(function (result) {
                if (result.status === 201) {
                    showThanks(form, result.data.html);
                } else if (result.status === 400 && result.data.html) {
                    var section = replaceSection(form, result.data.html);
                    var summary = section.querySelector("[data-error-summary]");
                    if (summary) {
                        summary.focus();
                    }
                } else {
                    button.disabled = false;
                    showProblem(
                        form,
                        result.data.message || "Sorry, your feedback was not sent. Please try again.",
                        result.data.html
                    );
                }
            })
            .catch(function () {
                button.disabled = false;
                showProblem(form, "Sorry, your feedback was not sent. Check your connection and try again.");
            });
    });
})();
