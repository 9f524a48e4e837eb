"""gunicorn settings for the 马上办 web app: `gunicorn --config deploy/gunicorn.conf.py`.

Every value can be overridden from the environment (see deploy/.env.example). The timer
worker is not in here: it runs as its own service (deploy/mashangban-timers.service).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "web:create_app()"
bind = os.environ.get("MASHANGBAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MASHANGBAN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"  # nginx buffers slow clients, so sync workers never wait on them
timeout = int(os.environ.get("MASHANGBAN_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (bounded memory), jittered
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("MASHANGBAN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # web/requestlog.py writes one JSON line per request, with its request id
errorlog = "-"
control_socket_disable = True  # gunicorn 27's control socket lives in $HOME (ProtectHome=yes)

# Prometheus multi-process mode: each worker writes its counters to files in this folder
# and a scrape sums them. It must be set before a worker imports prometheus_client, and
# emptied at start (files left from an earlier run would be counted again).
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(os.environ.get("RUNTIME_DIRECTORY", tempfile.gettempdir())) / "mashangban-metrics"),
)


def on_starting(server: Any) -> None:
    """Empty the metrics folder before the first worker starts."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Let a dead worker's gauges go (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
