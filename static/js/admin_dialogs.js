/*
 * Names Wagtail's admin dialogs after their own heading, so a screen reader
 * says what a dialog is for as it opens ("Request changes", "Approve with
 * comment"). Wagtail builds the dialog box in its own script without a name
 * (axe: aria-dialog-name); its heading reuses the page heading's id, so it
 * gets an id of its own first.
 *
 * Only staff load this: portal/wagtail_hooks.py adds it to every admin page.
 */
(function () {
    "use strict";

    var count = 0;

    function name(dialog) {
        var labelledBy = dialog.getAttribute("aria-labelledby");
        if (labelledBy && dialog.querySelector("[id='" + labelledBy + "']")) {
            return;
        }
        var heading = dialog.querySelector("h1, h2");
        if (!heading) {
            return;
        }
        count += 1;
        heading.id = "admin-dialog-heading-" + count;
        dialog.setAttribute("aria-labelledby", heading.id);
    }

    function nameAll() {
        document.querySelectorAll(".modal[role='dialog']").forEach(name);
    }

    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
    nameAll();
})();
