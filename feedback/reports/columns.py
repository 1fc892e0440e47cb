"""Table columns of the feedback reports (`feedback/reports/views.py`).

Each renders its cell with a template in `templates/feedback/admin/tables/`.
"""

from wagtail.admin.ui.tables import Column, NumberColumn


class DateTimeColumn(Column):
    cell_template_name = "feedback/admin/tables/date_time_cell.html"


class PageColumn(Column):
    """The page a row is about: its title and path, with links to edit it and see it live.

    Rows (responses or `figures.PageFigures`) carry `page_label`,
    `page_path`, `deleted`, `edit_url` and `live_url`.
    """

    cell_template_name = "feedback/admin/tables/page_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        for name in ("page_label", "page_path", "deleted", "edit_url", "live_url"):
            context[name] = getattr(instance, name)
        return context


class ResponsesColumn(NumberColumn):
    """A page's response count, linking to those responses in "Page feedback"."""

    cell_template_name = "feedback/admin/tables/responses_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = instance.responses_url
        context["page_label"] = instance.page_label
        return context


class CommentColumn(Column):
    """The comment, headed "Possible disclosure" when the row's `possible_disclosure` is set."""

    cell_template_name = "feedback/admin/tables/comment_cell.html"


class PercentColumn(Column):
    cell_template_name = "feedback/admin/tables/percent_cell.html"


class HistoryLinkColumn(Column):
    """A link to the page's feedback by version ("Did the edit help?")."""

    cell_template_name = "feedback/admin/tables/history_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["page_label"] = instance.page_label
        return context


class ReasonsColumn(Column):
    cell_template_name = "feedback/admin/tables/reasons_cell.html"
