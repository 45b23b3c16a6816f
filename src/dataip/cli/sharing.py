"""`dataip institutions …`: the operator's checks of the sharing capability (issue 20)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from dataip.bootstrap import build
from dataip.config import Settings
from dataip.services.sharing import reads

institutions_app = typer.Typer(help="Institutional clients (courts, banks, exchanges; R25).")
console = Console()


@institutions_app.command("verify-reads")
def verify_reads(
    quiet: Annotated[bool, typer.Option(help="print findings only")] = False,
) -> None:
    """Recompute the chained account of institutional reads (机构查阅记录): exit 1 and name
    every edited, unlinked or missing record."""
    reg = build(Settings())
    try:
        findings = reads.verify(env=reg.env)
    finally:
        reg.dispose()
    for f in findings:
        console.print(f"[red]{f.problem}[/red] record {f.seq}")
    if findings:
        raise typer.Exit(1)
    if not quiet:
        console.print("the account of institutional reads is intact")


webhooks_app = typer.Typer(help="Webhook delivery (Standard Webhooks; issue 20 §5).")


def _deliver_forever(concurrency: int | None, poll: float) -> None:
    """One worker process: the server's delivery loop, in the foreground until signalled."""
    import signal
    import threading

    from dataip.services.sharing import delivery

    reg = build(Settings())
    setup = delivery.DeliverySetup.from_settings(reg.settings)
    if concurrency is not None:
        setup.concurrency = concurrency
    loop = delivery.WebhookLoop(reg.env, setup, poll_seconds=poll)
    done = threading.Event()

    def stop(*_: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    loop.start()
    try:
        while not done.wait(0.5):
            pass
    finally:
        loop.stop()
        reg.dispose()


@webhooks_app.command("deliver")
def deliver(
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 1,
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=1024, help="POSTs in flight per worker")
    ] = None,
    poll: Annotated[float, typer.Option(help="seconds between looks when idle")] = 0.2,
    once: Annotated[bool, typer.Option(help="deliver what is due now, then exit")] = False,
) -> None:
    """Run webhook delivery workers (beside servers started with DATAIP_WEBHOOK_WORKERS=0,
    or as well as theirs): each claims due messages in batches with a lease, so no two send
    one message at once; at least once, retried on the Standard Webhooks schedule."""
    from dataip.services.sharing import delivery

    if once:
        reg = build(Settings())
        try:
            r = delivery.run_pending(reg.env, delivery.DeliverySetup.from_settings(reg.settings))
        finally:
            reg.dispose()
        console.print(
            f"fanned out {r.fanned_out}, delivered {r.delivered}, failed attempts {r.failed}, "
            f"skipped {r.skipped}, disabled {r.disabled}"
        )
        return
    if workers == 1:
        _deliver_forever(concurrency, poll)
        return
    import multiprocessing
    import signal

    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_deliver_forever, args=(concurrency, poll), name=f"webhooks-{i}")
        for i in range(workers)
    ]

    def forward(*_: object) -> None:  # a stop of this process stops its workers
        for p in procs:
            if p.is_alive():
                p.terminate()

    signal.signal(signal.SIGTERM, forward)
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(10)
