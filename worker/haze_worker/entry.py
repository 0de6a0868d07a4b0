"""The script spark-submit runs as the Spark driver of a Haze worker (see worker.py).

The master starts ``spark-submit [runOptions] --name <workerId> --conf k=v ... <this file>``.
Python puts this file's directory first on ``sys.path``, which would make every module of
the package importable as a top-level module (``errors``, ``jobs``...) and shadow user
modules of those names: the package's parent directory takes its place, so ``haze_worker``
(and ``mistpy`` next to it) are imported as packages, installed or not.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _HERE:
    sys.path[0] = os.path.dirname(_HERE)

from haze_worker.worker import main  # noqa: E402  (after the sys.path fix above)

if __name__ == "__main__":
    sys.exit(main())
