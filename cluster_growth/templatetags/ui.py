"""Template helpers shared by every app: form controls, and ``{% per_language %}`` for the fixed
texts of busy pages."""

from django import forms, template
from django.template.base import TextNode, Variable
from django.template.defaulttags import CommentNode, LoadNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def is_check(bound_field):
    return isinstance(bound_field.field.widget, _CHECK_WIDGETS)


@register.filter
def control(bound_field):
    """Render a form field's widget with Bootstrap classes and the ARIA links to its help and errors."""
    widget = bound_field.field.widget
    if isinstance(widget, _CHECK_WIDGETS):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{bound_field.auto_id}_errors")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


# --- fixed texts, rendered once per language --------------------------------------------------------


def _literal(expression):
    """A filter expression that is a quoted literal with no filter (or none at all)."""
    if expression is None:
        return True
    literal = isinstance(expression.var, str) or (
        isinstance(expression.var, Variable) and expression.var.lookups is None
    )
    return literal and not expression.filters


def _fixed(node):
    """Whether ``node`` renders the same for every request in a given language: markup, comments,
    ``{% load %}``, ``{% translate "a literal" %}`` (not ``as`` a variable, no filter),
    ``{% static "a literal" %}`` (the same URL for the life of the process) and ``{% url "name" %}``
    with literal arguments (the same for a URL configuration and script prefix, in the key)."""
    if isinstance(node, TextNode | CommentNode | LoadNode):
        return True
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and _literal(node.view_name)
            and all(_literal(argument) for argument in node.args)
            and all(_literal(argument) for argument in node.kwargs.values())
        )
    return (
        isinstance(node, TranslateNode)
        and node.asvar is None
        and _literal(node.filter_expression)
        and _literal(node.message_context)
    )


class PerLanguageNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered = {}  # (language, autoescape, URL configuration, script prefix) -> the text

    def render(self, context):
        key = (get_language(), context.autoescape, get_urlconf(), get_script_prefix())
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def per_language(parser, token):
    """``{% per_language %}…{% endper_language %}``: a block of markup, literal ``{% translate %}``
    texts, ``{% static %}`` and ``{% url %}`` links with literal arguments — the headings,
    explanations, labels and menus of a busy page, the layout's assets — rendered once per language
    and process, then reused (each ``{% translate %}`` costs some 10 µs, each ``{% static %}`` or
    ``{% url %}`` some 30; a dashboard has a hundred). Anything that could differ between requests (a
    variable, a condition, a CSRF token) is refused when the template is compiled, so the block
    cannot show one person's data to another."""
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                "{% per_language %} holds only markup, literal {% translate %} texts, {% static %} and "
                f"{{% url %}} with literal arguments, not {node!r}"
            )
    return PerLanguageNode(nodelist)
