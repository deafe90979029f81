import pytest


@pytest.mark.django_db
def test_home_page_explains_the_alliance(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cluster Growth Councils" in content
    assert "Istanbul" in content
