"""Haze's Python side: loading user functions, describing their signatures, running them.

``python -m haze_worker.info`` is the info extractor the master runs (no Spark, no JVM);
``haze_worker/entry.py`` is the worker process, run by spark-submit (see worker.py).
"""
