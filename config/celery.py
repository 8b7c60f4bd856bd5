import os

from celery import Celery
from celery.signals import worker_init
from prometheus_client import start_http_server

from config.metrics import process_registry

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("doms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def serve_worker_metrics(**_signal_arguments):
    """The worker counts expiry sweeps and webhook deliveries in its own processes. With
    WORKER_METRICS_PORT set, its main process serves them to Prometheus on that port, bound to
    WORKER_METRICS_ADDRESS (default 127.0.0.1: an internal port, no token). Give the worker its
    own PROMETHEUS_MULTIPROC_DIR, emptied before it starts, so its pool processes add up."""
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:
        address = os.environ.get("WORKER_METRICS_ADDRESS", "127.0.0.1")
        start_http_server(int(port), addr=address, registry=process_registry())
