"""The log's static face (日志静态发布, issue 25 §3): the integrator also writes the C2SP
tlog-tiles resources — full and partial hash tiles, entry bundles, the checkpoint and the
key — to a static store, so that a web server or a CDN serves ``/log/...`` without the
application (as Tessera's POSIX layout does). ``dataip log audit --from-dir/--from-url``
checks such a copy against its signed checkpoint (``ledger.tile_audit``).

* :mod:`.store`: the port (``write``, ``read``, ``remove_partials``) and the folder adapter
  (``DATAIP_LOG_STATIC_DIR``).
* :mod:`.blob`: the adapter over the blob store port (``DATAIP_LOG_STATIC_STORE``): named
  objects under ``log/`` in the database, another database or a folder.
* :mod:`.publish`: what the integrator writes after each round, and the backfill
  (``dataip log export-static``).
"""

from dataip.services.log_static.blob import BlobStaticStore
from dataip.services.log_static.publish import (
    PublishReport,
    publish,
    static_checkpoint,
    static_size,
)
from dataip.services.log_static.store import (
    FolderStore,
    StaticConflict,
    StaticStore,
    check_path,
)

__all__ = [
    "BlobStaticStore",
    "FolderStore",
    "PublishReport",
    "StaticConflict",
    "StaticStore",
    "check_path",
    "publish",
    "static_checkpoint",
    "static_size",
]
