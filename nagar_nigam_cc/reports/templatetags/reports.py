from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def cell_html(cell, columns, index):
    """One table cell: numbers right-aligned and linked to their complaints, shares as percentages."""
    kind = columns[index].kind
    value = cell.value
    if value is None:
        shown = "—"
    elif kind == "percent":
        shown = f"{100 * value:.1f}%"
    elif kind == "hours":
        shown = number_format(round(value, 1), 1)
    elif kind == "int":
        shown = number_format(value, force_grouping=True)
    elif kind == "datetime":
        from django.utils import timezone

        shown = timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    else:
        shown = str(value)
    if index == 0:
        if cell.link:  # a register's row: the label is the record itself (a docket)
            return format_html('<th scope="row"><a href="{}">{}</a></th>', cell.link, shown)
        return format_html('<th scope="row">{}</th>', shown)
    if cell.link:
        return format_html('<td data-key="{}"><a href="{}">{}</a></td>', columns[index].key, cell.link, shown)
    return format_html('<td data-key="{}">{}</td>', columns[index].key, shown)
