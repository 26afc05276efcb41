"""The TensorBoard driver's clock stands still for the events, so a fit logs the same bytes on every run, but
not for the writers' own flushing threads: on a frozen clock each would spin and take the interpreter from the
training it logs (a 20 ms fit took 1 s, in grading and in the student's own check)."""
import threading
import time

from torch.utils.tensorboard import SummaryWriter

from kitcheck.assignments.training_drivers import _writer_watch


def _flushing_thread(writer):
    return writer.file_writer.event_writer._async_writer._worker


def test_events_get_the_standing_clock_and_the_flushing_thread_waits(tmp_path):
    with _writer_watch() as (counts, opened):
        writer = SummaryWriter(str(tmp_path))
        worker = _flushing_thread(writer)
        deadline = time.monotonic() + 5
        while worker._next_flush_time == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Scheduled on the running clock, so the thread now waits on its queue instead of polling it.
        assert worker._next_flush_time > time.time()
        assert isinstance(worker, threading.Thread) and worker.is_alive()
        writer.add_scalar("loss/train", 1.5, 0)
        writer.close()
    assert counts == {"opened": 1, "closed": 1}
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path))
    events.Reload()
    assert [(e.wall_time, e.step, e.value) for e in events.Scalars("loss/train")] == [(0.0, 0, 1.5)]
