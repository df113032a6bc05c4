"""The Celery app of plantsync's workers: dagster-celery's app and step task, configured from the
same settings as the executor that sends them work.

    celery -A assets.celery_worker worker -Q ingest,models --concurrency 1 -n ingest-1@%h

Importing it checks the settings: a worker refuses to start unless `PLANTSYNC_EXECUTOR=celery`,
and so never with a DuckDB warehouse, naming the setting.
"""

from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from assets.executor import worker_app_args

app = make_app(worker_app_args())
execute_plan = create_task(app)
