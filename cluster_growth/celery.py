import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_growth.settings")

app = Celery("cluster_growth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
