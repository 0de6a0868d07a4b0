"""Print and logging capture, routed by thread to jobs (no Spark, no link)."""

import io
import logging
import threading

from haze_worker import threads
from haze_worker.capture import JobLogHandler, JobStream, LogRouter


class Sink:
    def __init__(self):
        self.frames = []

    def __call__(self, frame):
        self.frames.append(frame)

    def lines(self, job_id):
        return [line for frame in self.frames if frame["jobId"] == job_id for line in frame["lines"]]


def make_router():
    sink, fallback = Sink(), io.StringIO()
    return LogRouter(sink, lambda: None, fallback), sink, fallback


def in_job(job_id, target):
    thread = threading.Thread(target=target)
    threads.assign(thread, job_id)
    thread.start()
    thread.join()


def test_parallel_jobs_keep_their_own_lines():
    router, sink, fallback = make_router()
    stdout = JobStream(router, io.StringIO(), "stdout", "INFO")
    stderr = JobStream(router, io.StringIO(), "stderr", "WARN")
    for job_id in ("a", "b"):
        router.start_job(job_id)
    barrier = threading.Barrier(2)

    def chat(tag):
        def run():
            barrier.wait()
            for index in range(300):
                stdout.write(f"{tag} {index}\n")
            stderr.write(f"{tag} partial")
            stderr.write(" line")
        return run

    workers = [threading.Thread(target=lambda t=tag: in_job(t, chat(t))) for tag in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stdout.write("nobody's\n")
    for job_id in ("a", "b"):
        router.end_job(job_id)
        lines = sink.lines(job_id)
        assert [line["message"] for line in lines] == [f"{job_id} {i}" for i in range(300)] + [f"{job_id} partial line"]
        assert {(line["level"], line["source"]) for line in lines[:300]} == {("INFO", "stdout")}
        assert (lines[-1]["level"], lines[-1]["source"]) == ("WARN", "stderr")
    assert all(1 <= len(frame["lines"]) <= 200 for frame in sink.frames)
    assert fallback.getvalue() == "nobody's\n"


def test_threads_started_by_a_job_inherit_it_and_late_output_falls_back():
    threads.install()
    router, sink, fallback = make_router()
    stdout = JobStream(router, io.StringIO(), "stdout", "INFO")
    router.start_job("a")
    release = threading.Event()
    late = []

    def job():
        child = threading.Thread(target=lambda: stdout.write("from child\n"))
        child.start()
        child.join()
        lingering = threading.Thread(target=lambda: (release.wait(), stdout.write("too late\n")))
        lingering.start()
        late.append(lingering)

    in_job("a", job)
    router.end_job("a")
    release.set()
    late[0].join()
    assert [line["message"] for line in sink.lines("a")] == ["from child"]
    assert fallback.getvalue() == "too late\n"


def test_log_records_go_to_their_job_with_levels():
    router, sink, fallback = make_router()
    logger = logging.getLogger("haze-test-capture")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = JobLogHandler(router)
    logger.addHandler(handler)
    try:
        router.start_job("a")

        def job():
            logger.debug("hidden")
            logger.info("one\ntwo")
            logger.warning("careful")
            logger.error("bad")

        in_job("a", job)
        logger.info("no job, info")
        logger.warning("no job, warning")
        router.end_job("a")
    finally:
        logger.removeHandler(handler)
    assert [(line["level"], line["source"], line["message"]) for line in sink.lines("a")] == [
        ("INFO", "haze-test-capture", "one"), ("INFO", "haze-test-capture", "two"),
        ("WARN", "haze-test-capture", "careful"), ("ERROR", "haze-test-capture", "bad"),
    ]
    assert fallback.getvalue() == "WARNING haze-test-capture: no job, warning\n"
