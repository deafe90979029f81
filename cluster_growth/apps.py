from django.apps import AppConfig
from django.db.models.signals import post_migrate


def cache_table_create(*, using, **kwargs):
    """Create the database cache's table, which migrations do not: without it the zero-setup
    default (cache in the database) would fail at its first login, as login rate limits live in the
    cache. Runs after every app's migrations; a no-op once the table exists or with Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class ClusterGrowthConfig(AppConfig):
    """The project's wiring: site pages, health check and the seed_demo command. No models."""

    name = "cluster_growth"
    verbose_name = "SME Cluster Growth"

    def ready(self):
        # This app has no models, so it gets no post_migrate of its own: listen to all of them.
        post_migrate.connect(cache_table_create, dispatch_uid="cluster_growth.cache_table_create")
