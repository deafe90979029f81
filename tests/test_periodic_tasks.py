from cluster_growth.celery import app
from cluster_growth.management.commands.setup_periodic_tasks import PERIODIC_TASKS


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them

    missing = [task for _, task, _ in PERIODIC_TASKS if task not in app.tasks]

    assert not missing, f"beat would schedule tasks no worker knows: {missing}"
