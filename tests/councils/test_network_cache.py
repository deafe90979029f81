"""The dashboards' network graph is kept in the cache on a time limit and refreshed by a periodic task
(``councils.refresh_networks``), while every count stays current; the page builds the network's SVG
and the links' table in Python, with every organisation name escaped."""

import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils import kpi, tasks
from councils.models import Council
from councils.views import dashboard
from organisations.models import Interaction, Region
from organisations.services import interaction_record

from ..factories.councils import CouncilOrganisationFactory
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings, isolated_cache):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 60
    return isolated_cache


def _record(*organisations, days_ago=3):
    return interaction_record(
        kind=Interaction.Kind.VISIT,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        organisations=list(organisations),
    )


def _weights(response):
    return [link["weight"] for link in response.context["network"]["links_top"]]


def test_a_new_interaction_counts_at_once_and_the_network_follows_with_the_task(
    client, cached, coordinator, malaga, acme, uni
):
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    first = client.get(url)
    assert first.context["data"]["ledger"]["total"]["total"] == 1
    assert _weights(first) == [1]

    _record(acme, uni, days_ago=4)

    second = client.get(url)
    assert second.context["data"]["ledger"]["total"]["total"] == 2  # the counts: at once
    assert second.context["data"]["ledger"]["total"]["sme_hei"] == 2
    assert _weights(second) == [1]  # the network: from the cache until it is refreshed

    assert tasks.refresh_networks() == 1 + Council.objects.count()

    assert _weights(client.get(url)) == [2]


def test_the_network_is_read_from_the_cache_not_computed(client, cached, coordinator, malaga, acme, uni):
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    client.get(url)  # a cold cache: computed now, and kept

    with mock.patch.object(kpi, "network", side_effect=AssertionError("computed again")):
        response = client.get(url)

    assert _weights(response) == [1]


def _age(cache, key, seconds):
    """Make the cached graph under ``key`` look computed ``seconds`` ago."""
    graph = cache.get(key)
    graph["computed_at"] -= datetime.timedelta(seconds=seconds)
    graph["fresh_until"] -= datetime.timedelta(seconds=seconds)
    cache.set(key, graph, 3600)


def test_a_stale_graph_is_shown_at_once_while_a_worker_recomputes_it(
    client, cached, coordinator, malaga, acme, uni, django_capture_on_commit_callbacks
):
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    client.get(url)  # computed and kept, fresh for 60 s
    key = kpi.network_cache_key(council=malaga, quarters=kpi.DEFAULT_QUARTERS)
    _age(cached, key, 61)
    _record(acme, uni, days_ago=4)

    with (
        mock.patch.object(tasks.refresh_network, "delay") as queued,
        mock.patch.object(kpi, "network", side_effect=AssertionError("the viewer waits")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        stale = client.get(url)
    with mock.patch.object(tasks.refresh_network, "delay") as queued_again:
        again = client.get(url)  # the refresh is pending: nobody asks again

    assert _weights(stale) == _weights(again) == [1]  # shown at once, stale
    queued.assert_called_once_with(malaga.pk, kpi.DEFAULT_QUARTERS)
    queued_again.assert_not_called()  # asked for once, not per viewer

    assert tasks.refresh_network(malaga.pk, kpi.DEFAULT_QUARTERS) == 1  # what the worker runs

    assert _weights(client.get(url)) == [2]


def test_a_fresh_graph_asks_for_nothing(client, cached, coordinator, malaga, acme, uni):
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    client.get(url)

    with mock.patch.object(tasks.refresh_network, "delay") as queued:
        client.get(url)

    queued.assert_not_called()


def test_a_broker_that_cannot_be_reached_still_shows_the_stale_graph(
    client, cached, coordinator, malaga, acme, uni, django_capture_on_commit_callbacks
):
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    client.get(url)
    key = kpi.network_cache_key(council=malaga, quarters=kpi.DEFAULT_QUARTERS)
    _age(cached, key, 61)

    broker_down = mock.patch.object(tasks.refresh_network, "delay", side_effect=OSError("broker down"))
    with broker_down as first_ask, django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    with broker_down as second_ask, django_capture_on_commit_callbacks(execute=True):
        client.get(url)  # the lock was let go: the next viewer asks again

    assert response.status_code == 200 and _weights(response) == [1]
    assert first_ask.call_count == second_ask.call_count == 1


def test_the_page_says_when_the_links_were_computed(client, cached, coordinator, malaga, acme, uni):
    _record(acme, uni)
    client.force_login(coordinator)

    page = client.get(reverse("councils:dashboard", args=[malaga.slug])).content.decode()

    assert "The links as of " in page and "they are recomputed every few minutes." in page


def test_the_worker_skips_a_council_deleted_meanwhile(cached):
    assert tasks.refresh_network(987654, kpi.DEFAULT_QUARTERS) == 0


def test_the_task_warms_every_scope_for_the_default_period(cached, malaga, acme, uni):
    _record(acme, uni)

    assert tasks.refresh_networks() == 7

    alliance = cached.get(kpi.network_cache_key(council=None, quarters=kpi.DEFAULT_QUARTERS))
    mine = cached.get(kpi.network_cache_key(council=malaga, quarters=kpi.DEFAULT_QUARTERS))
    assert [edge["weight"] for edge in alliance["edges"]] == [1]
    assert [edge["weight"] for edge in mine["edges"]] == [1]
    for council in Council.objects.exclude(pk=malaga.pk):
        graph = cached.get(kpi.network_cache_key(council=council, quarters=kpi.DEFAULT_QUARTERS))
        assert (graph["nodes"], graph["edges"], graph["councils"]) == ([], [], {})
    assert len({alliance["version"], mine["version"], graph["version"]}) == 3


def test_a_cached_graph_is_drawn_once_per_version_and_language(
    client, cached, coordinator, malaga, acme, uni
):
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    with mock.patch.object(dashboard, "network_drawing", wraps=dashboard.network_drawing) as drawing:
        first = client.get(url)
        again = client.get(url)
        assert drawing.call_count == 1
        assert again.context["network"]["svg"] == first.context["network"]["svg"]

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        spanish = client.get(url)  # drawn again: its titles are translated
        assert drawing.call_count == 2
        assert "Universidad de Málaga · Universidad" in spanish.context["network"]["svg"]
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]

        _record(acme, uni, days_ago=4)
        tasks.refresh_networks()  # a new version of the graph
        refreshed = client.get(url)
        assert drawing.call_count == 3
        assert _weights(refreshed) == [2]
        assert (
            "Acme" in refreshed.context["network"]["svg"]
            and ": 2</title>" in refreshed.context["network"]["svg"]
        )


def test_an_uncached_graph_is_drawn_on_every_request(client, settings, coordinator, malaga, acme, uni):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 0
    _record(acme, uni)
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])
    client.get(url)
    _record(acme, uni, days_ago=4)

    assert _weights(client.get(url)) == [2]


def test_the_task_does_nothing_when_the_cache_is_off(settings, isolated_cache, acme, uni):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 0
    _record(acme, uni)

    assert tasks.refresh_networks() == 0
    assert isolated_cache.get(kpi.network_cache_key(council=None)) is None


def test_other_periods_are_cached_apart(client, cached, coordinator, malaga, acme, uni):
    _record(acme, uni, days_ago=500)  # in the last eight quarters, not in the last four
    client.force_login(coordinator)
    url = reverse("councils:dashboard", args=[malaga.slug])

    assert _weights(client.get(url)) == [1]
    assert _weights(client.get(url + "?quarters=4")) == []


@pytest.mark.parametrize("who", ["outsider", "other_council_member"])
def test_permission_is_checked_before_the_cache_is_read(client, request, cached, malaga, who):
    client.force_login(request.getfixturevalue(who))
    with mock.patch.object(kpi, "network_cached", side_effect=AssertionError("read the cache")):
        assert client.get(reverse("councils:dashboard", args=[malaga.slug])).status_code == 404


def test_visitor_never_reaches_the_cache(client, cached, malaga):
    with mock.patch.object(kpi, "network_cached", side_effect=AssertionError("read the cache")):
        assert client.get(reverse("councils:alliance_dashboard")).status_code == 302


def test_query_count_with_the_cache_does_not_grow(client, cached, council_member, malaga, acme, uni):
    client.force_login(council_member)
    url = reverse("councils:alliance_dashboard")
    _record(acme, uni)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for days in range(60):
        _record(acme, uni, OrganisationFactory(region=Region.CORK), days_ago=days)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_organisation_names_are_escaped_in_the_network(client, council_member, settings, malaga, acme):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 0
    evil = OrganisationFactory(region=Region.MALAGA, name='<script>alert("x")</script> & Co')
    CouncilOrganisationFactory(council=malaga, organisation=evil)
    _record(acme, evil)
    client.force_login(council_member)

    content = client.get(reverse("councils:alliance_dashboard")).content.decode()

    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in content
    start = content.index('<svg class="dashboard-network"')
    svg = content[start : content.index("</svg>", start)]
    assert svg.count("<line ") == 1 and svg.count("<circle ") == 2
    assert "&lt;script&gt;" in svg  # in the titles of the line and the circle


def test_the_network_lists_at_most_twenty_links(client, council_member, settings, malaga, acme):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 0
    others = [OrganisationFactory(region=Region.MALAGA) for _ in range(25)]
    for n, other in enumerate(others):
        for _ in range(1 + n % 3):
            _record(acme, other)
    client.force_login(council_member)

    response = client.get(reverse("councils:alliance_dashboard"))

    content = response.content.decode()
    assert len(response.context["data"]["network"]["edges"]) == 25
    assert len(response.context["network"]["links_top"]) == 20
    assert "The 20 strongest links" in content
    assert content.count('<td class="text-end">3</td>') >= 8  # the strongest first: eight of weight 3
    table = content[content.index("The 20 strongest links") :]
    assert table[: table.index("</table>")].count("<tr>") == 21  # a header and twenty links
