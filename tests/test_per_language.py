"""``{% per_language %}``: fixed texts rendered once per language, and nothing else allowed in."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import set_script_prefix
from django.utils import translation

LOAD = "{% load i18n static ui %}"


def _render(source, **context):
    return Template(LOAD + source).render(Context(context))


def test_renders_what_its_content_renders_in_each_language():
    source = '{% per_language %}<h2>{% translate "Log out" %}</h2>{% endper_language %}'

    with translation.override("en"):
        english = _render(source)
    with translation.override("es"):
        spanish = _render(source)
    with translation.override("en"):
        again = _render(source)

    assert english == again == "<h2>Log out</h2>"
    assert spanish == "<h2>Cerrar sesión</h2>"


def test_renders_its_content_once_per_language():
    template = Template(LOAD + '{% per_language %}{% translate "Log out" %}{% endper_language %}')
    with translation.override("en"):
        template.render(Context())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.template.base.gettext_lazy", lambda message: pytest.fail("rendered again"))
            assert template.render(Context()) == "Log out"


@pytest.mark.parametrize("autoescape", ["on", "off"])
def test_gives_what_its_content_gives_without_it(autoescape):
    content = '<p title="{% translate "a < b" %}">{% translate "Log out" context "menu" %} &amp;</p>'
    plain = f"{{% autoescape {autoescape} %}}{content}{{% endautoescape %}}"
    wrapped = plain.replace(content, f"{{% per_language %}}{content}{{% endper_language %}}")
    with translation.override("fr"):
        assert _render(wrapped) == _render(plain)


@pytest.mark.parametrize(
    "content",
    [
        "{{ name }}",
        "{% if user %}x{% endif %}",
        '{% translate "Hello" as greeting %}',
        "{% translate message %}",
        '{% translate "Log out" context menu_context %}',
        '{% translate "Hello"|upper %}',
        "{% url view_name %}",
        "{% url 'councils:detail' council.slug %}",
        "{% url 'home' as home %}",
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}",
        "{% csrf_token %}",
        "{% static path %}",
        "{% static 'css/portal.css' as stylesheet %}",
    ],
)
def test_refuses_anything_that_could_differ_between_requests(content):
    with pytest.raises(TemplateSyntaxError, match="per_language"):
        Template(LOAD + "{% per_language %}" + content + "{% endper_language %}")


def test_takes_static_urls():
    source = "{% per_language %}<link href=\"{% static 'css/portal.css' %}\">{% endper_language %}"
    assert _render(source) == _render(
        source.replace("{% per_language %}", "").replace("{% endper_language %}", "")
    )
    assert "css/portal" in _render(source)


def test_takes_links_with_literal_arguments_keyed_by_the_script_prefix():
    link = "<a href=\"{% url 'councils:detail' 'malaga' %}\">{% translate 'Home' %}</a>"
    template = Template(LOAD + "{% per_language %}" + link + "{% endper_language %}")
    assert template.render(Context()) == '<a href="/councils/malaga/">Home</a>'
    set_script_prefix("/portal/")
    try:
        assert template.render(Context()) == '<a href="/portal/councils/malaga/">Home</a>'
    finally:
        set_script_prefix("/")
