import pytest


@pytest.mark.django_db
def test_home_page_explains_the_alliance(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cluster Growth Councils" in content
    assert "Istanbul" in content


@pytest.mark.django_db
def test_the_layout_links_every_part_of_the_portal(client, django_user_model):
    anonymous = client.get("/privacy/").content.decode()
    for href in (
        'href="/"',
        'href="/organisations/"',
        'href="/councils/"',
        'href="/privacy/"',
        'href="/imprint/"',
    ):
        assert href in anonymous
    assert 'action="/language/"' in anonymous and 'href="/accounts/login/"' in anonymous

    user = django_user_model.objects.create_user(email="ines@example.org", password="x" * 12, is_staff=True)
    client.force_login(user)
    signed_in = client.get("/privacy/").content.decode()
    for href in ('hx-get="/notifications/bell/"', 'href="/councils/actions/"', 'href="/admin/"'):
        assert href in signed_in
    assert 'action="/accounts/logout/"' in signed_in


def test_the_server_error_page_keeps_the_layout(rf):
    from cluster_growth.views import server_error

    response = server_error(rf.get("/somewhere/"))

    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in content
    assert (
        'href="/councils/"' in content and 'href="/privacy/"' in content and 'action="/language/"' in content
    )
