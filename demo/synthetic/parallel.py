"""The provinces generated in parallel worker processes on PostgreSQL, each COPYing through its own
connection, so that the generation (Python, one core per process) and the server's ingestion spread
over the machine's cores.

A transaction cannot span connections, so the run is held together by hand:

1. the written tables' indexes, primary keys and unique constraints, and the foreign keys from or to
   them, are dropped and that is committed (the workers' COPY would otherwise wait on the dropping
   transaction's locks);
2. the tree (units, staff) is written in the parent's transaction, left open; the workers are forked
   (they inherit the tree, the rules and the calendar already loaded) and each opens its own
   connection and transaction, takes the provinces one after the other (the largest first) until none
   is left, generates them and reports ready without committing;
3. when every worker is ready the parent writes the reference counters and commits, then tells the
   workers to commit; if any fails, every transaction rolls back instead;
4. whatever happened, the keys and indexes are re-created as they were and every table analyzed, side
   by side on one connection a worker (`Writer.restore_in_parallel`: every index built on its own,
   then the primary keys and unique constraints made of them and the keys added back NOT VALID at
   once, then per table its keys validated), and the sequences reset. What fails is rolled back
   alone and the error lists what is still to run.

A crash of the parent itself between 1 and 4 (kill -9) leaves the tables without their keys and
indexes (or with keys not yet validated): re-run `migrate` on a fresh database. The forked workers
never touch the parent's Django connection (they leave through os._exit, which does not close the
inherited socket).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
import traceback
from typing import TYPE_CHECKING

from django.db import connection, transaction

from .writer import connect

if TYPE_CHECKING:
    from .generator import Generator


def order(shares: dict[int, int]) -> list[int]:
    """The provinces in the order the workers take them, the largest first: each worker takes the next
    one when it is done with its own, so that they finish close together whatever each province costs
    (fixed shares left them 6-7 % apart). Which rows a province gets does not depend on this."""
    return sorted(shares, key=lambda p: (-shares[p], p))


def run_parallel(gen: Generator) -> None:
    writer = gen.writer
    with transaction.atomic():
        restore = writer.set_aside()
    gen.phase("set aside keys and indexes")
    pipes, procs = [], []
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            gen.prepare()
            provinces = order(gen.shares)
            ctx = multiprocessing.get_context("fork")
            workers = min(gen.workers, len(provinces))
            done = ctx.Array("q", workers, lock=False)  # cases generated, one slot a worker
            taken = ctx.Value("i", 0)  # how many of `provinces` the workers have taken
            for slot in range(workers):
                parent_end, child_end = ctx.Pipe()
                proc = ctx.Process(
                    target=_worker, args=(gen, provinces, taken, child_end, done, slot), daemon=True
                )
                proc.start()
                child_end.close()
                pipes.append(parent_end)
                procs.append(proc)
            results = _wait_all(gen, pipes, procs, done)
            gen.phase("generate and COPY")
            for counters, written, busy in results:
                gen.worker_times.append(busy)
                gen.all_counters.update(counters)
                for table, n in written.items():
                    gen.written[table] += n
            gen.write_counters()
        # The tree and counters are committed: now the workers' rows.
        for pipe in pipes:
            pipe.send("commit")
        for pipe, proc in zip(pipes, procs, strict=True):
            if _receive(pipe, proc)[0] != "committed":
                raise RuntimeError("a synthetic worker failed to commit")
        gen.phase("commit")
    except BaseException:
        for pipe in pipes:
            with contextlib.suppress(OSError):  # a worker that died has closed its end
                pipe.send("abort")
        raise
    finally:
        for proc in procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.terminate()
        writer.restore_in_parallel(restore, gen.workers)
        gen.phase("re-create keys and indexes, analyze")
        gen.reset_sequences()
    gen.progress.finish(gen.done, "cases")


def _wait_all(gen: Generator, pipes, procs, done) -> list:
    results: list = [None] * len(pipes)
    while any(r is None for r in results):
        for i, (pipe, proc) in enumerate(zip(pipes, procs, strict=True)):
            if results[i] is None and (pipe.poll() or not proc.is_alive()):
                message = _receive(pipe, proc)
                if message[0] != "ready":
                    raise RuntimeError(f"a synthetic worker failed:\n{message[1]}")
                results[i] = message[1]
        gen.done = sum(done)
        gen.progress.update(gen.done, "cases")
        time.sleep(0.2)
    return results


def _receive(pipe, proc) -> tuple:
    try:
        return pipe.recv()
    except EOFError:
        return ("failed", f"worker exited with code {proc.exitcode}")


class _Slot:
    """A worker's progress, read by the parent's progress bar."""

    def __init__(self, done, slot: int):
        self.done, self.slot = done, slot

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        self.done[self.slot] = done


def _worker(gen: Generator, provinces: list[int], taken, pipe, done, slot: int) -> None:
    started, cpu = time.monotonic(), time.process_time()
    try:
        raw = connect()
        raw.execute("SET synchronous_commit = off")
        gen.writer.raw = raw
        gen.progress = _Slot(done, slot)
        while True:
            with taken.get_lock():
                i = taken.value
                taken.value = i + 1
            if i >= len(provinces):
                break
            gen.generate_province(provinces[i])
        gen.writer.wait()
        busy = (time.monotonic() - started, time.process_time() - cpu)
        pipe.send(("ready", (gen.all_counters, dict(gen.written), busy)))
        if pipe.recv() == "commit":
            raw.commit()
            pipe.send(("committed",))
        else:
            raw.rollback()
    except BaseException:
        pipe.send(("failed", traceback.format_exc()))
