/*
 * Stops Wagtail's autosave once an edit form is on its way.
 *
 * A review action ("Approve", "Request changes") adds hidden inputs to the
 * edit form and sends it. The new inputs count as an unsaved change, so
 * autosave saved a draft half a second later; when the server took longer
 * than that to answer, the draft landed after the action, in the
 * reviewer's name, on a page she never changed. Wagtail sends that form
 * with form.submit(), which fires no submit event: the inputs are the sign.
 *
 * Only staff load this: portal/wagtail_hooks.py adds it to every admin page.
 */
(function () {
    "use strict";

    var REVIEW_INPUTS = ["action-workflow-action", "workflow-action-name"];

    function stopAutosave(form) {
        if (form && form.matches && form.matches("form[data-controller~='w-autosave']")) {
            form.setAttribute("data-w-autosave-active-value", "false");
        }
    }

    document.addEventListener(
        "submit",
        function (event) {
            stopAutosave(event.target);
        },
        true,
    );

    new MutationObserver(function (records) {
        records.forEach(function (record) {
            record.addedNodes.forEach(function (node) {
                if (REVIEW_INPUTS.indexOf(node.name) !== -1) {
                    stopAutosave(node.form);
                }
            });
        });
    }).observe(document.body, { childList: true, subtree: true });
})();
