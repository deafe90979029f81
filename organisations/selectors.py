"""Reads of the organisations app, always scoped to what the viewer may see."""

import re
import unicodedata
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Expression, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import VISIBILITY_FIELDS, Membership, Organisation, Region, Sector, Topic, Visibility

# Other apps (councils) register functions ``provider(user_ids) -> {user id: set of organisation
# ids}``: the organisations whose "council"-level fields each person may see, without this app
# importing them. They answer for many people at once in a fixed number of queries (digests).
_peer_providers = []


def register_peer_provider(provider):
    _peer_providers.append(provider)


@dataclass
class Viewer:
    """What one request's user may see, computed once per request (a few queries), then used for
    every organisation on the page without more queries."""

    is_staff: bool = False
    is_portal_member: bool = False
    own_org_ids: frozenset = field(default_factory=frozenset)
    admin_org_ids: frozenset = field(default_factory=frozenset)
    peer_org_ids: frozenset = field(default_factory=frozenset)

    @property
    def levels(self):
        """The visibility levels this viewer may see on any organisation."""
        if self.is_portal_member or self.is_staff:
            return [Visibility.PUBLIC, Visibility.MEMBERS]
        return [Visibility.PUBLIC]

    def level_for(self, organisation):
        if self.is_staff or organisation.pk in self.own_org_ids or organisation.pk in self.peer_org_ids:
            return Visibility.COUNCIL
        return self.levels[-1]

    def can_see(self, organisation, field_name):
        if self.is_staff or organisation.pk in self.own_org_ids or organisation.pk in self.peer_org_ids:
            return True
        level = (organisation.visibility or {}).get(field_name, VISIBILITY_FIELDS[field_name])
        return level in self.levels

    def can_see_q(self, field_name):
        """A filter matching the organisations whose ``field_name`` this viewer may see."""
        if self.is_staff:
            return Q()
        return Q(**{f"visibility__{field_name}__in": [str(level) for level in self.levels]}) | Q(
            pk__in=self.own_org_ids | self.peer_org_ids
        )


def peer_org_ids_for(user_ids):
    """{user id: frozenset of organisation ids} from every registered peer provider."""
    peers = {user_id: set() for user_id in user_ids}
    for provider in _peer_providers:
        for user_id, org_ids in provider(user_ids).items():
            peers[user_id] |= set(org_ids)
    return {user_id: frozenset(org_ids) for user_id, org_ids in peers.items()}


def viewer_for(user):
    if not user.is_authenticated:
        return Viewer()
    memberships = list(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
    own = frozenset(org_id for org_id, _ in memberships)
    peers = peer_org_ids_for([user.pk])[user.pk]
    return Viewer(
        is_staff=user.is_staff,
        is_portal_member=bool(own),
        own_org_ids=own,
        admin_org_ids=frozenset(org_id for org_id, role in memberships if role == Membership.Role.ADMIN),
        peer_org_ids=peers,
    )


def visible_profile(organisation, viewer):
    """The optional fields of ``organisation`` that ``viewer`` may see, as {field: True/False}."""
    return {name: viewer.can_see(organisation, name) for name in VISIBILITY_FIELDS}


def organisation_for_viewer(*, slug, viewer):
    """One organisation's page. Every organisation is listed publicly (name, kind, place), so this
    only 404s on unknown slugs; what the page shows is cut by :func:`visible_profile`."""
    queryset = Organisation.objects.select_related("verified_by").prefetch_related(
        "sectors", "topics_offered", "topics_needed"
    )
    return get_object_or_404(queryset, slug=slug)


# --- search -------------------------------------------------------------------------------------


def fold(text):
    """Lower case without accents, so that "malaga" finds "Málaga" and "istanbul" "İstanbul"."""
    normalised = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    return "".join(ch for ch in normalised if not unicodedata.combining(ch)).lower()


def search_terms(query):
    return re.findall(r"\w+", fold(query))[:10]


SEARCH_CONFIG = "simple"


class StoredSearchVector(Expression):
    """The ``search_vector`` column: a tsvector PostgreSQL generates from ``search_text`` and indexes
    (migration 0004). It exists on PostgreSQL only, so the model does not declare it. Reading the
    stored vector rather than computing ``to_tsvector(search_text)`` for every match is what keeps
    ranking a few thousand matches fast."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_vector", []


def apply_search(queryset, query):
    terms = search_terms(query)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(
            " & ".join(f"{term}:*" for term in terms), config=SEARCH_CONFIG, search_type="raw"
        )
        return (
            queryset.annotate(search=StoredSearchVector())
            .filter(search=tsquery)
            .annotate(rank=SearchRank(StoredSearchVector(), tsquery))
            .order_by("-rank", "name")
        )
    condition = Q()
    for term in terms:
        condition &= Q(search_text__icontains=term)
    return queryset.filter(condition)


# --- the directory ------------------------------------------------------------------------------


ANY = _("Any")


class DirectoryFilter(django_filters.FilterSet):
    """The directory's filters. Filters on a field with per-organisation visibility only match the
    organisations that show that field to the viewer, so filtering never reveals a hidden value."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices, empty_label=ANY)
    subtype = django_filters.ChoiceFilter(
        label=_("Type of intermediary"), choices=Organisation.Subtype.choices, empty_label=ANY
    )
    # Callable, so that the names are those of the request's language, not of the one at import.
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=lambda: list(countries), empty_label=ANY
    )
    region = django_filters.ChoiceFilter(label=_("Region"), choices=Region.choices, empty_label=ANY)
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        method="filter_visible",
        to_field_name="code",
        empty_label=ANY,
    )
    size_band = django_filters.ChoiceFilter(
        label=_("Size"), choices=Organisation.SizeBand.choices, method="filter_visible", empty_label=ANY
    )
    topic_offered = django_filters.ModelChoiceFilter(
        label=_("Offers"),
        queryset=Topic.objects.all(),
        method="filter_visible",
        to_field_name="slug",
        empty_label=ANY,
    )
    topic_needed = django_filters.ModelChoiceFilter(
        label=_("Needs"),
        queryset=Topic.objects.all(),
        method="filter_visible",
        to_field_name="slug",
        empty_label=ANY,
    )
    # A checkbox: ticked shows verified organisations only, unticked shows all.
    verified = django_filters.BooleanFilter(
        label=_("Verified only"),
        field_name="is_verified",
        widget=forms.CheckboxInput,
        method="filter_verified",
    )

    # filter name -> (visibility field, lookup)
    VISIBLE_LOOKUPS = {
        "sector": ("sectors", "sectors"),
        "size_band": ("size_band", "size_band"),
        "topic_offered": ("topics_offered", "topics_offered"),
        "topic_needed": ("topics_needed", "topics_needed"),
    }

    class Meta:
        model = Organisation
        fields = []

    def __init__(self, *args, viewer, **kwargs):
        self.viewer = viewer
        super().__init__(*args, **kwargs)

    def filter_search(self, queryset, name, value):
        return apply_search(queryset, value)

    def filter_verified(self, queryset, name, value):
        return queryset.filter(is_verified=True) if value else queryset

    def filter_visible(self, queryset, name, value):
        if not value:
            return queryset
        visibility_field, lookup = self.VISIBLE_LOOKUPS[name]
        return queryset.filter(**{lookup: value}).filter(self.viewer.can_see_q(visibility_field))


def organisations_for_directory(*, viewer, params):
    """The directory's filtered organisations (a FilterSet: ``.qs``, ``.form``), with what the
    result list shows loaded in a fixed number of queries."""
    queryset = Organisation.objects.prefetch_related("topics_offered").order_by("name")
    return DirectoryFilter(params, queryset=queryset, viewer=viewer)


def organisations_for_map(*, filterset, viewer):
    """Map markers of the filtered set: only organisations that show their location to the viewer."""
    return (
        filterset.qs.filter(viewer.can_see_q("location"), latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values("slug", "name", "kind", "city", "latitude", "longitude")
    )


def organisation_people(*, organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-role", "user__full_name")
    )
