from django.apps import AppConfig


class ClusterGrowthConfig(AppConfig):
    """The project's wiring: site pages, health check and the seed_demo command. No models."""

    name = "cluster_growth"
    verbose_name = "SME Cluster Growth"
